// Tests of the BPE token counter: known counts from the reference, estimate, errors, bad UTF-8.
// SPDX-License-Identifier: MIT
#include "core/bpe_merge.hpp"
#include "core/bpe_ranks.hpp"
#include "core/tokenizer.hpp"
#include "core/utf8_repair.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace sage::core;

namespace {

const token_counter& counter(const std::string& encoding) {
  // Loaded once per encoding for the whole suite, as a server would.
  static std::map<std::string, token_counter> loaded;
  auto it = loaded.find(encoding);
  if (it == loaded.end()) {
    auto c = token_counter::load(encoding, SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE_MESSAGE(c.has_value(),
                          "cannot load " + encoding + ": " + (c ? "" : c.err().message));
    it = loaded.emplace(encoding, *c).first;
  }
  return it->second;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

struct known {
  std::string text;
  size_t cl100k;
  size_t o200k;
};

// Reference counts from js-tiktoken 1.0.21: getEncoding(name).encode(text, [], []).length.
const std::vector<known> known_counts = {
    {"hello world", 2, 2},
    {"Hello, world!", 4, 4},
    {"", 0, 0},
    {"h\xc3\xa9llo w\xc3\xb6rld \xe2\x80\x94 na\xc3\xafve caf\xc3\xa9 "
     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
     "\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88 \xf0\x9f\x99\x82",
     19, 16},
    {"int main(int argc, char** argv) {\n    return 0;\n}\n", 16, 16},
    {std::string(128, ' ') + "x", 3, 3},
    {std::string(10000, ' ') + "x", 80, 80},
    {"1234567890 3.14159 2024-01-01", 16, 16},
    {"<|endoftext|>", 7, 7}, // special tokens are ordinary text
    {"don't STOP, we'LL go", 8, 7},
    {"\n\n\n\n\t\t  \n", 2, 2},
    {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80! "
     "\xd0\x9a\xd0\xb0\xd0\xba "
     "\xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0?",
     12, 8},
    {"a/b/c/d\n//\n", 6, 6},
    {std::string(1000, 'a'), 125, 125},
    {repeat("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 100), 400, 200},
    {std::string(500, '='), 9, 9},
    {std::string(300, '\n') + "end", 11, 21},
};

} // namespace

BOOST_AUTO_TEST_SUITE(tokenizer)

BOOST_AUTO_TEST_CASE(counts_match_the_reference) {
  for (const auto& k : known_counts) {
    BOOST_TEST_CONTEXT("text: " << k.text.substr(0, 40)) {
      BOOST_TEST(counter("cl100k_base").count(k.text) == k.cl100k);
      BOOST_TEST(counter("o200k_base").count(k.text) == k.o200k);
      BOOST_TEST(counter("cl100k_base").encode(k.text).size() == k.cl100k);
      BOOST_TEST(counter("o200k_base").encode(k.text).size() == k.o200k);
    }
  }
}

BOOST_AUTO_TEST_CASE(token_ids_match_the_reference) {
  BOOST_TEST(counter("cl100k_base").encode("hello world") == (std::vector<uint32_t>{15339, 1917}),
             boost::test_tools::per_element());
  BOOST_TEST(counter("o200k_base").encode("hello world") == (std::vector<uint32_t>{24912, 2375}),
             boost::test_tools::per_element());
  BOOST_TEST(counter("cl100k_base").encode("<|endoftext|>") ==
                 (std::vector<uint32_t>{27, 91, 8862, 728, 428, 91, 29}),
             boost::test_tools::per_element());
  BOOST_TEST(counter("o200k_base").encode("a/b/c/d\n//\n") ==
                 (std::vector<uint32_t>{64, 7611, 4308, 6662, 198, 22704}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(encodings_differ_where_they_should) {
  BOOST_TEST(counter("cl100k_base").encoding() == "cl100k_base");
  BOOST_TEST(counter("o200k_base").encoding() == "o200k_base");
  // o200k has a larger vocabulary for non-Latin scripts and its own pattern for newlines.
  const std::string russian =
      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80!";
  BOOST_TEST(counter("o200k_base").count(russian) < counter("cl100k_base").count(russian));
  BOOST_TEST((counter("cl100k_base").encode("hello world") !=
              counter("o200k_base").encode("hello world")));
}

BOOST_AUTO_TEST_CASE(estimate_is_bytes_over_four_rounded_up) {
  auto e = token_counter::load("estimate", "/nonexistent");
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->encoding() == "estimate");
  BOOST_TEST(e->count("") == 0u);
  BOOST_TEST(e->count("abcd") == 1u);
  BOOST_TEST(e->count("abcde") == 2u);
  BOOST_TEST(e->count(std::string(4001, 'x')) == 1001u);
  BOOST_TEST(e->encode("hello").empty());
}

BOOST_AUTO_TEST_CASE(unknown_encoding_is_a_config_error) {
  auto r = token_counter::load("gpt2", SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST((r.err().code == error_code::config));
  BOOST_TEST(r.err().message == "unknown token encoding");
  BOOST_TEST(r.err().hint == "use cl100k_base, o200k_base or estimate");
}

BOOST_AUTO_TEST_CASE(missing_table_is_an_io_error) {
  auto r = token_counter::load("cl100k_base", "/nonexistent/data");
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST((r.err().code == error_code::io));
}

BOOST_AUTO_TEST_CASE(malformed_table_is_a_parse_error) {
  BOOST_TEST(bpe_ranks::parse("IQ== 0\nnot base64! 1\n", "t").has_value() == false);
  BOOST_TEST(bpe_ranks::parse("IQ== x\n", "t").has_value() == false);
  BOOST_TEST(bpe_ranks::parse("", "t").has_value() == false);
  auto ok = bpe_ranks::parse("IQ== 0\nIg== 1\nISI= 7\n", "t");
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->size() == 3u);
  BOOST_TEST(ok->find("!\"") == 7u);
  BOOST_TEST(ok->find("\"") == 1u);
  BOOST_TEST(ok->find("!!") == bpe_ranks::no_rank);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_replaced_as_the_reference_reads_it) {
  // Maximal ill-formed subparts become one U+FFFD each (WHATWG, as Node decodes files).
  const std::string fffd = "\xef\xbf\xbd";
  BOOST_TEST(replace_invalid_utf8("abc\xff") == "abc" + fffd);
  BOOST_TEST(replace_invalid_utf8("\xc3\x28") == fffd + "(");
  BOOST_TEST(replace_invalid_utf8("x\xe2\x82") == "x" + fffd);
  BOOST_TEST(replace_invalid_utf8("\xf0\x80\x80\x80") == fffd + fffd + fffd + fffd);
  BOOST_TEST(replace_invalid_utf8("\xed\xa0\x80") == fffd + fffd + fffd);
  BOOST_TEST(replace_invalid_utf8("\xe2\x82\xac ok") == "\xe2\x82\xac ok");
  BOOST_TEST(is_valid_utf8("plain ascii text, long enough for the word loop"));
  BOOST_TEST(!is_valid_utf8("plain ascii text, long enough \xc0\xaf for the word loop"));

  // Reference: js-tiktoken on Buffer.from([0x61,0x62,0x63,0xff,0x20,0xe2,0x82]).toString().
  BOOST_TEST(counter("cl100k_base").count("abc\xff \xe2\x82") == 3u);
  BOOST_TEST(counter("cl100k_base").count("abc\xff") == counter("cl100k_base").count("abc" + fffd));
}

BOOST_AUTO_TEST_CASE(random_bytes_do_not_crash) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string s(rng() % 600, '\0');
    for (auto& c : s)
      c = static_cast<char>(rng());
    for (const char* enc : {"cl100k_base", "o200k_base"}) {
      const size_t n = counter(enc).count(s);
      BOOST_TEST(n == counter(enc).encode(s).size());
      BOOST_TEST(n <= replace_invalid_utf8(s).size());
    }
  }
}

BOOST_AUTO_TEST_CASE(scan_and_heap_merges_agree) {
  // Long pieces take the heap path in production; both must give the same tokens everywhere.
  std::mt19937 rng(7);
  const std::vector<std::string> alphabet = {
      "a", "b", "e", "th", "in", " ", "=", "\xe6\x97\xa5", "\xc3\xa9", "1"};
  for (const char* enc : {"cl100k_base", "o200k_base"}) {
    auto r =
        bpe_ranks::load(std::string(SAGE_DEFAULT_DATA_DIR) + "/tokenizers/" + enc + ".tiktoken");
    BOOST_REQUIRE(r.has_value());
    for (int round = 0; round < 300; ++round) {
      std::string piece;
      const size_t parts = 1 + rng() % 120;
      for (size_t i = 0; i < parts; ++i)
        piece += alphabet[rng() % alphabet.size()];
      std::vector<uint32_t> scan, heap;
      const size_t ns = detail::bpe_merge_scan(*r, piece, &scan);
      const size_t nh = detail::bpe_merge_heap(*r, piece, &heap);
      BOOST_TEST_CONTEXT("piece: " << piece) {
        BOOST_TEST(ns == nh);
        BOOST_TEST(scan == heap, boost::test_tools::per_element());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(concurrent_counts_agree) {
  std::vector<std::string> texts;
  for (const auto& k : known_counts)
    texts.push_back(k.text);
  texts.push_back(repeat("The quick brown fox jumps over the lazy dog. ", 200));
  const token_counter& c = counter("o200k_base");
  std::vector<size_t> expected;
  for (const auto& t : texts)
    expected.push_back(c.count(t));

  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const token_counter copy = c; // copies share the tables
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < texts.size(); ++i)
          failures[t] += copy.count(texts[i]) != expected[i];
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (int f : failures)
    BOOST_TEST(f == 0);
}

BOOST_AUTO_TEST_CASE(pathological_pieces_are_merged_in_slices) {
  // A run of letters without a space is one piece; past bpe_max_piece it is merged slice by
  // slice, at most about a token per slice more than the exact count; counting alone merges
  // only the first slice.
  std::mt19937 rng(11);
  std::string piece;
  while (piece.size() < 5 * bpe_max_piece + 17)
    piece += (rng() % 5 == 0) ? std::string("\xc3\xa9") : std::string(1, 'a' + rng() % 26);
  for (const char* enc : {"cl100k_base", "o200k_base"}) {
    auto r =
        bpe_ranks::load(std::string(SAGE_DEFAULT_DATA_DIR) + "/tokenizers/" + enc + ".tiktoken");
    BOOST_REQUIRE(r.has_value());
    std::vector<uint32_t> exact, sliced;
    const size_t n_exact = detail::bpe_merge_heap(*r, piece, &exact);
    const size_t n_sliced = bpe_merge(*r, piece, &sliced);
    BOOST_TEST(n_sliced == sliced.size());
    BOOST_TEST(n_sliced >= n_exact);
    BOOST_TEST(n_sliced <= n_exact + piece.size() / bpe_max_piece + 1);
    // Counting alone extrapolates the first slice: close to the sliced tokens on uniform text.
    const size_t n_counted = bpe_merge(*r, piece, nullptr);
    BOOST_TEST(n_counted * 10 >= n_sliced * 9);
    BOOST_TEST(n_counted * 10 <= n_sliced * 11);
  }
  // Through the counter: a repeated letter merges the same in every slice, so the estimate is
  // exact up to the rounding of the last slice.
  const std::string word = repeat("x", 3 * bpe_max_piece);
  const auto counted = counter("cl100k_base").count(word);
  const auto encoded = counter("cl100k_base").encode(word).size();
  BOOST_TEST(counted <= encoded + 1);
  BOOST_TEST(counted + 1 >= encoded);
}

BOOST_AUTO_TEST_SUITE_END()
