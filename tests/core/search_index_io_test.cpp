// Tests of search index serialisation: identical results after a round trip, hostile input.
// SPDX-License-Identifier: MIT
#include "core/search_index.hpp"

#include "support/doc_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace sage::core;

namespace {

using sage::test::doc_spec;
using sage::test::make_doc;

const auto& words = sage::test::random_corpus_words;
const auto& layers = sage::test::random_corpus_layers;
const auto& tags = sage::test::random_corpus_tags;

// Documents with inflected words, four languages (two stemmers, CJK, one without a stemmer),
// layers, tags, retired documents, duplicates (ties) and documents without sections.
std::vector<document> random_docs(std::mt19937& rng, int count) {
  auto pick = [&](size_t n) { return words[rng() % std::min(n, words.size())]; };
  auto text = [&](size_t n) {
    std::string t;
    for (size_t i = 0; i < n; ++i)
      t += pick(rng() % 2 ? 12 : words.size()) + (rng() % 7 == 0 ? ".\n" : " ");
    return t;
  };
  const std::vector<std::string> languages{"en", "de", "ja", "xx"};
  std::vector<document> docs;
  for (int d = 0; d < count; ++d) {
    doc_spec s;
    s.path = "doc" + std::to_string(rng() % 1000) + "_" + std::to_string(d) + ".md";
    s.title = text(1 + rng() % 3);
    for (size_t k = 0, n = rng() % 5; k < n; ++k)
      s.bodies.push_back(text(3 + rng() % 60));
    s.layer = layers[rng() % layers.size()];
    s.language = languages[rng() % 3 == 0 ? rng() % languages.size() : 0];
    if (rng() % 3 == 0) s.tags = {tags[rng() % tags.size()], "Tag" + std::to_string(rng() % 3)};
    if (rng() % 10 == 0) s.status = rng() % 2 ? "deprecated" : "archived";
    docs.push_back(make_doc(s));
    if (rng() % 5 == 0) {
      s.path = "dup" + std::to_string(d) + ".md";
      docs.push_back(make_doc(s));
    }
  }
  return docs;
}

struct corpus {
  std::vector<document> docs;
  std::vector<analyzed_document> analyses;
  search_index index;
  analyzer az;

  corpus(std::vector<document> d, const search_config& cfg) : docs(std::move(d)) {
    for (const auto& doc : docs)
      analyses.push_back(analyze(doc, az));
    index = search_index::build(docs, analyses, cfg, 2);
  }
};

std::string random_query(std::mt19937& rng) {
  std::string query;
  for (size_t i = 0, n = 1 + rng() % 5; i < n; ++i)
    query += (rng() % 9 == 0 ? std::string{"missing"} : words[rng() % words.size()]) + " ";
  return query;
}

search_options random_options(std::mt19937& rng) {
  search_options opts;
  opts.limit = 1 + rng() % 25;
  if (rng() % 4 == 0) opts.layers = {layers[rng() % layers.size()]};
  if (rng() % 5 == 0) opts.tags = {tags[rng() % tags.size()], "tag" + std::to_string(rng() % 3)};
  opts.include_retired = rng() % 3 == 0;
  return opts;
}

bool same_hits(const std::vector<search_hit>& a, const std::vector<search_hit>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].doc != b[i].doc || a[i].section != b[i].section ||
        std::bit_cast<uint64_t>(a[i].score) != std::bit_cast<uint64_t>(b[i].score) ||
        a[i].snippet != b[i].snippet)
      return false;
  return true;
}

std::string why(const result<search_index>& r) {
  return r.has_value() ? "" : r.err().message;
}

std::string serialized(const search_index& ix) {
  std::string out;
  ix.serialize(out);
  return out;
}

// Queries a (possibly corrupt but accepted) index the ways a caller can: pruned and exhaustive,
// with filters and snippets. Only returns the hit count: the point is not crashing.
size_t exercise(const search_index& ix, const std::vector<document>& docs, analyzer& az,
                std::mt19937& rng) {
  size_t hits = 0;
  for (int q = 0; q < 3; ++q) {
    const auto query = random_query(rng);
    const auto opts = random_options(rng);
    hits += ix.search(query, opts, docs, az).size();
    hits += ix.search_exhaustive(query, opts, docs, az).size();
  }
  for (uint32_t s = 0; s < ix.section_count(); ++s) {
    const auto [doc, section] = ix.locate(s);
    hits += ix.global_section(doc, section) == s ? 0 : 1000000;
  }
  (void)ix.stats();
  return hits;
}

} // namespace

BOOST_AUTO_TEST_SUITE(search_index_io)

BOOST_AUTO_TEST_CASE(round_trip_gives_identical_hits_scores_and_snippets) {
  std::mt19937 rng{20240618};
  corpus c{random_docs(rng, 150), {}};
  // Written after other bytes and followed by more: offset starts and ends exactly around it.
  std::string data = "prefix";
  c.index.serialize(data);
  const size_t end = data.size();
  data += "suffix";
  size_t offset = 6;
  auto loaded = search_index::deserialize(data, offset);
  BOOST_REQUIRE_MESSAGE(loaded.has_value(), why(loaded));
  BOOST_TEST(offset == end);
  BOOST_TEST(serialized(*loaded) == data.substr(6, end - 6)); // nothing lost or changed

  const auto a = c.index.stats(), b = loaded->stats();
  BOOST_TEST(a.documents == b.documents);
  BOOST_TEST(a.sections == b.sections);
  BOOST_TEST(a.terms == b.terms);
  BOOST_TEST(a.postings == b.postings);
  BOOST_TEST(a.memory_bytes == b.memory_bytes);
  for (uint32_t s = 0; s < c.index.section_count(); ++s)
    BOOST_REQUIRE((loaded->locate(s) == c.index.locate(s)));

  size_t compared = 0;
  for (int q = 0; q < 600; ++q) {
    const auto query = random_query(rng);
    const auto opts = random_options(rng);
    BOOST_TEST_CONTEXT("query '" << query << "' limit " << opts.limit) {
      const auto built = c.index.search(query, opts, c.docs, c.az);
      BOOST_TEST(same_hits(built, loaded->search(query, opts, c.docs, c.az)));
      BOOST_TEST(same_hits(c.index.search_exhaustive(query, opts, c.docs, c.az),
                           loaded->search_exhaustive(query, opts, c.docs, c.az)));
      compared += built.size();
    }
  }
  BOOST_TEST(compared > 1000u); // the queries do find things
}

BOOST_AUTO_TEST_CASE(round_trip_keeps_filters_by_layer_tag_and_retired) {
  std::mt19937 rng{7};
  corpus c{random_docs(rng, 80), {}};
  const auto data = serialized(c.index);
  size_t offset = 0;
  auto loaded = search_index::deserialize(data, offset);
  BOOST_REQUIRE(loaded.has_value());
  for (const auto& word : words)
    for (const auto& layer : layers)
      for (const auto& tag : tags)
        for (bool retired : {false, true}) {
          search_options opts;
          opts.limit = 50;
          opts.layers = {layer};
          opts.tags = {tag, "TAG1"};
          opts.include_retired = retired;
          BOOST_TEST(same_hits(c.index.search(word, opts, c.docs, c.az),
                               loaded->search(word, opts, c.docs, c.az)));
        }
}

BOOST_AUTO_TEST_CASE(stored_config_comes_back) {
  search_config cfg;
  cfg.default_limit = 7;
  cfg.max_limit = 33;
  cfg.k1 = 1.7;
  cfg.b = 0.4;
  cfg.weight_title = 5.5;
  cfg.weight_headings = 0.25;
  cfg.weight_body = 1.125;
  cfg.weight_tags = 0;
  cfg.proximity_bonus = 0.9;
  std::mt19937 rng{11};
  corpus c{random_docs(rng, 20), cfg};
  BOOST_TEST(c.index.config().k1 == 1.7);
  const auto data = serialized(c.index);
  size_t offset = 0;
  const auto loaded = search_index::deserialize(data, offset);
  BOOST_REQUIRE(loaded.has_value());
  const auto& back = loaded->config();
  BOOST_TEST(back.default_limit == 7);
  BOOST_TEST(back.max_limit == 33);
  BOOST_TEST(back.k1 == 1.7);
  BOOST_TEST(back.b == 0.4);
  BOOST_TEST(back.weight_title == 5.5);
  BOOST_TEST(back.weight_headings == 0.25);
  BOOST_TEST(back.weight_body == 1.125);
  BOOST_TEST(back.weight_tags == 0.0);
  BOOST_TEST(back.proximity_bonus == 0.9);
  BOOST_TEST(same_hits(c.index.search("error handling", {}, c.docs, c.az),
                       loaded->search("error handling", {}, c.docs, c.az)));
}

BOOST_AUTO_TEST_CASE(empty_indexes_round_trip) {
  analyzer az;
  const std::vector<document> none;
  for (const auto& ix : {search_index{}, search_index::build(none, {}, {})}) {
    const auto data = serialized(ix);
    size_t offset = 0;
    const auto loaded = search_index::deserialize(data, offset);
    BOOST_REQUIRE_MESSAGE(loaded.has_value(), why(loaded));
    BOOST_TEST(offset == data.size());
    BOOST_TEST(loaded->document_count() == 0u);
    BOOST_TEST(loaded->section_count() == 0u);
    BOOST_TEST(loaded->search("anything", {}, none, az).empty());
  }
  // Documents without any section.
  std::vector<document> empty_docs{make_doc({"a.md", "A", {}}), make_doc({"b.md", "B", {}})};
  std::vector<analyzed_document> analyses;
  for (const auto& d : empty_docs)
    analyses.push_back(analyze(d, az));
  const auto data = serialized(search_index::build(empty_docs, analyses, {}));
  size_t offset = 0;
  const auto loaded = search_index::deserialize(data, offset);
  BOOST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->document_count() == 2u);
  BOOST_TEST(loaded->search("a", {}, empty_docs, az).empty());
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected) {
  std::mt19937 rng{3};
  corpus c{random_docs(rng, 12), {}};
  const auto data = serialized(c.index);
  BOOST_TEST_MESSAGE("serialised test index: " << data.size() << " bytes");
  size_t accepted = 0;
  for (size_t n = 0; n < data.size(); ++n) {
    size_t offset = 0;
    const auto r = search_index::deserialize(std::string_view{data}.substr(0, n), offset);
    if (r.has_value() || r.err().code != error_code::parse || offset != 0) ++accepted;
  }
  BOOST_TEST(accepted == 0u);
  size_t offset = data.size() + 1; // an offset past the end is truncation too
  BOOST_TEST(!search_index::deserialize(data, offset).has_value());
  BOOST_TEST(offset == data.size() + 1);
}

BOOST_AUTO_TEST_CASE(another_format_version_or_magic_is_rejected) {
  std::mt19937 rng{5};
  corpus c{random_docs(rng, 10), {}};
  const auto data = serialized(c.index);
  for (uint32_t version :
       {search_index::serial_version + 1, search_index::serial_version - 1, uint32_t{0xFFFFFFFF}}) {
    auto other = data;
    std::memcpy(other.data() + 4, &version, 4); // after the 4-byte magic
    size_t offset = 0;
    const auto r = search_index::deserialize(other, offset);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.err().code == error_code::parse);
    BOOST_TEST(r.err().message.find("version") != std::string::npos);
  }
  auto other = data;
  other[0] = 'X';
  size_t offset = 0;
  const auto r = search_index::deserialize(other, offset);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().message == "not a search index");
}

// Loads corrupt bytes: rejected with a parse error and the offset untouched, or accepted and
// then queried (pruned, exhaustive, filters, snippets) and written back byte for byte. Under
// AddressSanitizer and UndefinedBehaviorSanitizer this checks that acceptance means "safe".
bool load_corrupt(const std::string& bad, const corpus& c, analyzer& az, std::mt19937& rng) {
  size_t offset = 0;
  auto r = search_index::deserialize(bad, offset);
  if (!r.has_value()) {
    BOOST_REQUIRE(r.err().code == error_code::parse);
    BOOST_REQUIRE(offset == 0u);
    return false;
  }
  BOOST_REQUIRE(offset <= bad.size());
  exercise(*r, c.docs, az, rng);
  BOOST_REQUIRE(serialized(*r) == bad.substr(0, offset)); // no state outside the format
  return true;
}

// Random corruptions: single bytes, flipped bits, and 4- and 8-byte words (counts, offsets,
// ids), one to three per copy.
BOOST_AUTO_TEST_CASE(random_corruptions_never_crash) {
  std::mt19937 rng{99};
  corpus c{random_docs(rng, 25), {}};
  const auto data = serialized(c.index);
  size_t rejected = 0, accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    auto bad = data;
    const int kind = round % 4;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const size_t at = rng() % bad.size();
      if (kind == 0) {
        bad[at] = static_cast<char>(rng());
      } else if (kind == 1) {
        bad[at] = static_cast<char>(bad[at] ^ (1 << (rng() % 8)));
      } else {
        const uint64_t value = rng() % 2 ? rng() % 64 : (uint64_t{rng()} << 32 | rng());
        std::memcpy(bad.data() + at, &value, std::min<size_t>(kind == 2 ? 4 : 8, bad.size() - at));
      }
    }
    (load_corrupt(bad, c, c.az, rng) ? accepted : rejected) += 1;
  }
  BOOST_TEST_MESSAGE("random corruptions rejected " << rejected << ", accepted " << accepted);
  BOOST_TEST(rejected > 2000u);
}

// Every byte of a small index set to 0x00, 0xFF and its top bit flipped: each field of the
// format is hit, whatever the random test misses.
BOOST_AUTO_TEST_CASE(every_single_byte_corruption_is_rejected_or_safe) {
  std::mt19937 rng{42};
  corpus c{random_docs(rng, 8), {}};
  const auto data = serialized(c.index);
  size_t rejected = 0, accepted = 0;
  for (size_t at = 0; at < data.size(); ++at)
    for (int change = 0; change < 3; ++change) {
      auto bad = data;
      bad[at] = change == 0 ? '\0' : change == 1 ? '\xFF' : static_cast<char>(bad[at] ^ 0x80);
      if (bad == data) continue;
      (load_corrupt(bad, c, c.az, rng) ? accepted : rejected) += 1;
    }
  BOOST_TEST_MESSAGE("byte corruptions rejected " << rejected << ", accepted " << accepted);
  BOOST_TEST(rejected > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
