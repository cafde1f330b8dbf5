// Tests of text analysis and of the per-document analysis with its binary cache format.
// SPDX-License-Identifier: MIT
#include "core/analyzed_document.hpp"
#include "core/analyzer.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

using namespace sage::core;

namespace {

using terms_t = std::vector<std::string>;

document sample_document() {
  document doc;
  doc.path = "guidelines/ERRORS.md";
  doc.title = "Error Handling";
  doc.tags = {"errors", "Resilience"};
  doc.language = "en";
  section intro;
  intro.heading = "Error Handling";
  intro.heading_path = {"Error Handling"};
  intro.text = "# Error Handling\n\nErrors are values.\n";
  section retries;
  retries.heading = "Retries";
  retries.heading_path = {"Error Handling", "Retries"};
  retries.text = "## Retries\n\nRetrying failed requests needs backoff.\n";
  doc.sections = {intro, retries};
  return doc;
}

} // namespace

BOOST_AUTO_TEST_SUITE(analyzer_suite)

BOOST_AUTO_TEST_CASE(analyzer_stems_english_words_to_a_common_term) {
  analyzer az;
  BOOST_TEST(az.terms("running runs run", "en") == (terms_t{"run", "run", "run"}));
  BOOST_TEST(az.terms("Connections", "en") == az.terms("connection", "en"));
}

BOOST_AUTO_TEST_CASE(analyzer_folds_case_and_compatibility_forms) {
  analyzer az;
  BOOST_TEST(az.terms("Ｆｕｌｌ FULL full", "") == (terms_t{"full", "full", "full"}));
  BOOST_TEST(az.terms("ﬁle", "ja") == (terms_t{"file"}));       // ligature, not stemmed
  BOOST_TEST(az.terms("Straße", "ja") == (terms_t{"strasse"})); // full case folding
  BOOST_TEST(az.terms("cafe\xCC\x81", "ja") == az.terms("caf\xC3\xA9", "ja")); // NFC compose
}

BOOST_AUTO_TEST_CASE(analyzer_stems_german_with_the_german_algorithm) {
  analyzer az;
  BOOST_TEST(az.terms("Dateien", "de") == az.terms("Datei", "de"));
  BOOST_TEST(az.terms("Häuser", "de") == az.terms("Haus", "de"));
  BOOST_TEST(az.terms("running", "pt_BR") == (terms_t{"running"})); // Portuguese leaves it
  BOOST_TEST(analyzer::stemmer_name("pt-BR") == "portuguese");
  BOOST_TEST(analyzer::stemmer_name("DE") == "german");
  BOOST_TEST(analyzer::stemmer_name("ja").empty());
  BOOST_TEST(analyzer::stemmer_name("") == "english");
}

BOOST_AUTO_TEST_CASE(analyzer_leaves_languages_without_stemmer_unstemmed) {
  analyzer az;
  BOOST_TEST(az.terms("running files", "ja") == (terms_t{"running", "files"}));
  BOOST_TEST(az.terms("running files", "xx") == (terms_t{"running", "files"}));
}

BOOST_AUTO_TEST_CASE(analyzer_indexes_cjk_runs_as_overlapping_bigrams) {
  analyzer az;
  BOOST_TEST(az.terms("東京都", "ja") == (terms_t{"東京", "京都"}));
  BOOST_TEST(az.terms("日", "zh") == (terms_t{"日"}));
  BOOST_TEST(az.terms("Dockerコンテナ", "ja") == (terms_t{"docker", "コン", "ンテ", "テナ"}));
  BOOST_TEST(az.terms("한국어", "ko") == (terms_t{"한국", "국어"}));
  // Half-width katakana is normalised to full width inside a bigram.
  BOOST_TEST(az.terms("ｺﾝﾃ", "ja") == az.terms("コンテ", "ja"));
}

BOOST_AUTO_TEST_CASE(analyzer_keeps_language_names_with_symbols_whole) {
  analyzer az;
  BOOST_TEST(az.terms("C++ and C# and g++", "en") == (terms_t{"c++", "and", "c#", "and", "g++"}));
  BOOST_TEST(az.terms("snake_case e-mail", "en") == (terms_t{"snake", "case", "e", "mail"}));
}

BOOST_AUTO_TEST_CASE(analyzer_reports_byte_offsets_and_positions) {
  analyzer az;
  token_stream ts;
  const std::string text = "Größe: 東京 run";
  az.analyze(text, "en", ts);
  BOOST_REQUIRE_EQUAL(ts.size(), 3u);
  BOOST_TEST(text.substr(ts.tokens[0].begin, ts.tokens[0].end - ts.tokens[0].begin) == "Größe");
  BOOST_TEST(text.substr(ts.tokens[1].begin, ts.tokens[1].end - ts.tokens[1].begin) == "東京");
  BOOST_TEST(text.substr(ts.tokens[2].begin, ts.tokens[2].end - ts.tokens[2].begin) == "run");
  for (size_t i = 0; i < ts.size(); ++i)
    BOOST_TEST(ts.tokens[i].position == i);
  // A second text continues the positions.
  az.analyze("more", "en", ts);
  BOOST_TEST(ts.tokens.back().position == 3u);
}

BOOST_AUTO_TEST_CASE(analyzer_treats_invalid_utf8_as_separators) {
  analyzer az;
  BOOST_TEST(az.terms("bad\xFF\xFEwords \xE2\x82 end\xC0\xAF", "en") ==
             (terms_t{"bad", "word", "end"}));
}

BOOST_AUTO_TEST_CASE(analyzer_survives_random_bytes_with_offsets_in_range) {
  analyzer az;
  std::mt19937 rng{7};
  const std::string alphabet[] = {"a",
                                  "Z",
                                  " ",
                                  "\xFF",
                                  "\xC3",
                                  "\xA9",
                                  "東",
                                  "ß",
                                  "#",
                                  "+",
                                  "\xE2\x80\x8B",
                                  "\xCC\x81",
                                  "1",
                                  "½",
                                  "\xF0\x9F\x98\x80"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i)
      text += alphabet[rng() % std::size(alphabet)];
    token_stream ts;
    az.analyze(text, round % 2 ? "de" : "ja", ts);
    for (const auto& t : ts.tokens) {
      BOOST_REQUIRE(t.begin < t.end);
      BOOST_REQUIRE(t.end <= text.size());
      BOOST_REQUIRE(t.term_size > 0);
    }
  }
}

// Snippets rely on this: segmenting without stemming gives the same tokens at the same offsets.
BOOST_AUTO_TEST_CASE(analyzer_segmentation_does_not_depend_on_stemming) {
  analyzer az;
  const std::string text = "Running ½ files c++ Größe 東京都 ｶﾀｶﾅ naïve x" + std::string(70, 'y') +
                           " Dateien \xFF running";
  for (const char* lang : {"en", "de", "ja", "ru"}) {
    token_stream on, off;
    az.analyze(text, lang, on, stemming::on);
    az.analyze(text, lang, off, stemming::off);
    BOOST_REQUIRE_EQUAL(on.size(), off.size());
    for (size_t i = 0; i < on.size(); ++i) {
      BOOST_TEST(on.tokens[i].begin == off.tokens[i].begin);
      BOOST_TEST(on.tokens[i].end == off.tokens[i].end);
    }
  }
}

BOOST_AUTO_TEST_CASE(analyzer_drops_overlong_terms) {
  analyzer az;
  BOOST_TEST(az.terms(std::string(100, 'x') + " ok", "en") == (terms_t{"ok"}));
}

BOOST_AUTO_TEST_CASE(analyzer_stems_query_terms_per_language) {
  analyzer az;
  BOOST_TEST(az.stem("running", "en") == "run");
  BOOST_TEST(az.stem("dateien", "de") == "datei");
  BOOST_TEST(az.stem("running", "ja") == "running");
}

BOOST_AUTO_TEST_CASE(analyze_document_fills_the_four_fields_per_section) {
  analyzer az;
  const auto doc = sample_document();
  const auto a = analyze(doc, az);
  BOOST_TEST(a.valid());
  BOOST_REQUIRE_EQUAL(a.section_count(), 2u);
  auto words = [&](std::span<const uint32_t> ids) {
    terms_t out;
    for (auto id : ids)
      out.emplace_back(a.term(id));
    return out;
  };
  BOOST_TEST(words(a.title()) == (terms_t{"error", "handl"}));
  BOOST_TEST(words(a.tags()) == (terms_t{"error", "resili"}));
  BOOST_TEST(words(a.headings(1)) == (terms_t{"error", "handl", "retri"}));
  BOOST_TEST(words(a.body(1)) == (terms_t{"retri", "retri", "fail", "request", "need", "backoff"}));
  BOOST_TEST(words(a.terms(0, search_field::body)) ==
             (terms_t{"error", "handl", "error", "are", "valu"}));
}

BOOST_AUTO_TEST_CASE(analysis_round_trips_through_the_binary_format) {
  analyzer az;
  const auto a = analyze(sample_document(), az);
  std::string blob;
  serialize(a, blob);
  serialize(a, blob); // two records back to back
  size_t offset = 0;
  for (int i = 0; i < 2; ++i) {
    auto b = deserialize(blob, offset);
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->language == a.language);
    BOOST_TEST(b->vocabulary == a.vocabulary);
    BOOST_TEST(b->vocabulary_ends == a.vocabulary_ends);
    BOOST_TEST(b->ids == a.ids);
    BOOST_TEST(b->bounds == a.bounds);
  }
  BOOST_TEST(offset == blob.size());
}

BOOST_AUTO_TEST_CASE(deserialize_rejects_every_truncation) {
  analyzer az;
  std::string blob;
  serialize(analyze(sample_document(), az), blob);
  for (size_t n = 0; n < blob.size(); ++n) {
    size_t offset = 0;
    const auto r = deserialize(std::string_view{blob}.substr(0, n), offset);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.err().code == error_code::parse));
    BOOST_TEST(offset == 0u);
  }
}

BOOST_AUTO_TEST_CASE(deserialize_rejects_other_versions_and_survives_corruption) {
  analyzer az;
  std::string blob;
  serialize(analyze(sample_document(), az), blob);
  std::string old = blob;
  old[0] = static_cast<char>(analysis_format_version + 1);
  size_t offset = 0;
  const auto r = deserialize(old, offset);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().message.find("version") != std::string::npos);

  offset = 5;
  BOOST_TEST(!deserialize("", offset).has_value());

  std::mt19937 rng{11};
  for (int round = 0; round < 5000; ++round) {
    std::string bad = blob;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    offset = 0;
    const auto d = deserialize(bad, offset);
    if (d.has_value()) // a flip may still give a well-formed record; it must be consistent
      BOOST_REQUIRE(d->valid());
  }
}

BOOST_AUTO_TEST_SUITE_END()
