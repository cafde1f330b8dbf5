// Tests of the search index: matching, ranking, filters, order, snippets and exact pruning.
// SPDX-License-Identifier: MIT
#include "core/search_index.hpp"
#include "core/snippet.hpp"

#include "support/doc_builder.hpp"

#include <boost/test/unit_test.hpp>
#include <utf8proc.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace sage::core;

namespace {

using sage::test::doc_spec;
using sage::test::make_doc;

// Documents, their analyses and the index, as the loader would keep them.
struct corpus {
  std::vector<document> docs;
  std::vector<analyzed_document> analyses;
  search_index index;
  analyzer az;

  explicit corpus(const std::vector<doc_spec>& specs, search_config cfg = {},
                  unsigned threads = 2) {
    for (const auto& s : specs)
      docs.push_back(make_doc(s));
    for (const auto& d : docs)
      analyses.push_back(analyze(d, az));
    index = search_index::build(docs, analyses, cfg, threads);
  }

  std::vector<search_hit> search(const std::string& q, search_options opts = {}) {
    return index.search(q, opts, docs, az);
  }
  std::vector<std::string> paths(const std::string& q, search_options opts = {}) {
    std::vector<std::string> out;
    for (const auto& h : search(q, opts))
      out.push_back(docs[h.doc].path);
    return out;
  }
};

bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

using paths_t = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(search_index_suite)

BOOST_AUTO_TEST_CASE(search_finds_stemmed_variants) {
  corpus c{{{"a.md", "Alpha", {"The service will run daily."}},
            {"b.md", "Beta", {"Nothing relevant here."}}}};
  BOOST_TEST(c.paths("running") == (paths_t{"a.md"}));
  BOOST_TEST(c.paths("RUNS") == (paths_t{"a.md"}));
}

BOOST_AUTO_TEST_CASE(search_folds_case_and_full_width_forms) {
  corpus c{
      {{"a.md", "Alpha", {"A full backup every night."}}, {"b.md", "Beta", {"Incremental only."}}}};
  BOOST_TEST(c.paths("Ｆｕｌｌ") == (paths_t{"a.md"}));
}

BOOST_AUTO_TEST_CASE(search_finds_german_pages_with_a_german_query) {
  corpus c{{{"de/tar.md", "tar", {"Erstelle ein Archiv aus Dateien."}, "common", "de"},
            {"en/tar.md", "tar", {"Create an archive from files."}, "common", "en"},
            {"de/ls.md", "ls", {"Liste den Inhalt eines Verzeichnisses."}, "common", "de"}}};
  BOOST_TEST(c.paths("Datei") == (paths_t{"de/tar.md"}));
  BOOST_TEST(c.paths("Verzeichnis") == (paths_t{"de/ls.md"}));
  BOOST_TEST(c.paths("file") == (paths_t{"en/tar.md"}));
}

BOOST_AUTO_TEST_CASE(search_matches_a_word_only_through_the_stemmer_of_the_page_language) {
  // English stems `running` to `run`; the German page's `run` is a different word to German.
  corpus c{{{"de/a.md", "a", {"run schnell"}, "core", "de"},
            {"en/b.md", "b", {"run daily"}, "core", "en"}}};
  BOOST_TEST(c.paths("running") == (paths_t{"en/b.md"}));
  BOOST_TEST(c.paths("run").size() == 2u);
}

BOOST_AUTO_TEST_CASE(search_ignores_english_stop_words_next_to_other_words) {
  corpus c{{{"a.md", "Notes", {"how to do it in the way that it is to be done"}},
            {"b.md", "Limits", {"every call needs a timeout"}}}};
  BOOST_TEST(c.paths("how to set a timeout in the client") == (paths_t{"b.md"}));
  BOOST_TEST(c.paths("how to") == (paths_t{"a.md"})); // only stop words: they count
}

BOOST_AUTO_TEST_CASE(search_matches_cjk_text_by_bigrams) {
  corpus c{{{"ja/a.md", "a", {"東京都に住んでいます。"}, "core", "ja"},
            {"ja/b.md", "b", {"京都の寺を見ました。"}, "core", "ja"},
            {"zh/c.md", "c", {"这是一个测试。"}, "core", "zh"},
            {"zh/d.md", "d", {"猫 和 狗"}, "core", "zh"}}};
  BOOST_TEST(c.paths("東京") == (paths_t{"ja/a.md"}));
  const auto kyoto = c.paths("京都");
  BOOST_TEST(kyoto.size() == 2u); // 東京都 contains 京都 too
  BOOST_TEST(c.paths("测试") == (paths_t{"zh/c.md"}));
  // A lone character is a unigram; inside a longer run it is only part of bigrams.
  BOOST_TEST(c.paths("猫") == (paths_t{"zh/d.md"}));
}

BOOST_AUTO_TEST_CASE(search_ranks_title_match_above_body_match) {
  corpus c{{{"body.md", "Networking", {"Set a timeout on every call to stay responsive."}},
            {"title.md", "Timeout", {"Set a limit on every call to stay responsive."}}}};
  BOOST_TEST(c.paths("timeout") == (paths_t{"title.md", "body.md"}));
}

BOOST_AUTO_TEST_CASE(search_ranks_exact_phrase_above_scattered_words) {
  corpus c{{{"a.md", "One", {"handling of the queue is error prone in many cases"}},
            {"b.md", "Two", {"the queue is prone to many cases of error handling"}}}};
  const auto hits = c.search("error handling");
  BOOST_REQUIRE_EQUAL(hits.size(), 2u);
  BOOST_TEST(c.docs[hits[0].doc].path == "b.md");
  BOOST_TEST(hits[0].score > hits[1].score);
  // Without the bonus both score the same and the path decides.
  search_config flat;
  flat.proximity_bonus = 0;
  corpus d{{{"a.md", "One", {"handling of the queue is error prone in many cases"}},
            {"b.md", "Two", {"the queue is prone to many cases of error handling"}}},
           flat};
  const auto plain = d.search("error handling");
  BOOST_REQUIRE_EQUAL(plain.size(), 2u);
  BOOST_TEST(plain[0].score == plain[1].score);
  BOOST_TEST(d.docs[plain[0].doc].path == "a.md");
}

BOOST_AUTO_TEST_CASE(search_filters_by_layer) {
  corpus c{{{"core/a.md", "A", {"cache invalidation"}, "core"},
            {"guidelines/b.md", "B", {"cache sizing"}, "guidelines"},
            {"frameworks/c.md", "C", {"cache layers"}, "frameworks"}}};
  search_options opts;
  opts.layers = {"Guidelines", "frameworks"};
  BOOST_TEST(c.paths("cache", opts) == (paths_t{"frameworks/c.md", "guidelines/b.md"}));
  opts.layers = {"nonexistent"};
  BOOST_TEST(c.paths("cache", opts).empty());
}

BOOST_AUTO_TEST_CASE(search_filters_by_any_of_the_tags) {
  corpus c{{{"a.md", "A", {"retry policy"}, "core", "en", {"Resilience", "net"}},
            {"b.md", "B", {"retry budget"}, "core", "en", {"cost"}},
            {"c.md", "C", {"retry storms"}, "core", "en", {}}}};
  search_options opts;
  opts.tags = {"resilience", "cost"};
  BOOST_TEST(c.paths("retry", opts) == (paths_t{"a.md", "b.md"}));
  opts.tags = {"unknown"};
  BOOST_TEST(c.paths("retry", opts).empty());
}

BOOST_AUTO_TEST_CASE(search_excludes_retired_documents_unless_asked) {
  corpus c{{{"a.md", "A", {"legacy api"}, "core", "en", {}, "deprecated"},
            {"b.md", "B", {"legacy importer"}, "core", "en", {}, "archived"},
            {"c.md", "C", {"legacy notes"}, "core", "en", {}, "approved"}}};
  BOOST_TEST(c.paths("legacy") == (paths_t{"c.md"}));
  search_options opts;
  opts.include_retired = true;
  BOOST_TEST(c.paths("legacy", opts).size() == 3u);
}

BOOST_AUTO_TEST_CASE(search_orders_ties_by_path_then_section) {
  // Identical documents give identical scores; built out of path order on purpose.
  corpus c{{{"z.md", "Same", {"widget", "widget"}},
            {"a.md", "Same", {"widget", "widget"}},
            {"m.md", "Same", {"widget", "widget"}}}};
  const auto hits = c.search("widget");
  BOOST_REQUIRE_EQUAL(hits.size(), 6u);
  std::vector<std::pair<std::string, uint32_t>> order;
  for (const auto& h : hits)
    order.emplace_back(c.docs[h.doc].path, h.section);
  const std::vector<std::pair<std::string, uint32_t>> expected{
      {"a.md", 0}, {"a.md", 1}, {"m.md", 0}, {"m.md", 1}, {"z.md", 0}, {"z.md", 1}};
  BOOST_TEST((order == expected));
  BOOST_TEST(hits.front().score == hits.back().score);
}

BOOST_AUTO_TEST_CASE(search_snippet_highlights_the_match_and_is_valid_utf8) {
  std::string filler;
  for (int i = 0; i < 40; ++i)
    filler += "lorem ipsum dolor ";
  const std::string text = "Größe: " + filler + "the circuit breaker opens after failures " +
                           filler + "東京都の話 \xFF end";
  corpus c{{{"a.md", "A", {text}}}};
  const auto hits = c.search("breaker");
  BOOST_REQUIRE_EQUAL(hits.size(), 1u);
  const auto& snippet = hits[0].snippet;
  BOOST_TEST(snippet.find("**breaker**") != std::string::npos);
  BOOST_TEST(snippet.rfind("…", 0) == 0u); // cut at the start
  BOOST_TEST(snippet.size() >= 6u);
  BOOST_TEST(snippet.substr(snippet.size() - 3) == "…");
  BOOST_TEST(valid_utf8(snippet));
  BOOST_TEST(snippet.size() < 260u);

  const auto cjk = c.search("東京都");
  BOOST_REQUIRE_EQUAL(cjk.size(), 1u);
  BOOST_TEST(cjk[0].snippet.find("**東京都**") != std::string::npos);
  BOOST_TEST(valid_utf8(cjk[0].snippet));
}

BOOST_AUTO_TEST_CASE(snippet_replaces_the_texts_own_bold_with_the_highlight) {
  corpus c{{{"a.md", "A", {"| **Timeout** | Limit wait time |"}}}};
  const auto hits = c.search("timeout");
  BOOST_REQUIRE_EQUAL(hits.size(), 1u);
  BOOST_TEST(hits[0].snippet == "| **Timeout** | Limit wait time |");
}

BOOST_AUTO_TEST_CASE(snippet_never_splits_characters_or_keeps_invalid_bytes) {
  std::mt19937 rng{3};
  const std::string pieces[] = {"é", "東", " ", "word", "\xFF", "\xE2\x82", "\n\n", "😀"};
  for (int round = 0; round < 500; ++round) {
    std::string text;
    for (int i = 0; i < 150; ++i)
      text += pieces[rng() % std::size(pieces)];
    std::vector<snippet_match> matches;
    for (size_t at = text.find("word"); at != std::string::npos; at = text.find("word", at + 4))
      matches.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(at + 4), 0});
    const auto s = make_snippet(text, matches, 50);
    BOOST_REQUIRE(valid_utf8(s));
  }
}

BOOST_AUTO_TEST_CASE(search_returns_nothing_for_empty_or_unknown_queries) {
  corpus c{{{"a.md", "A", {"something"}}}};
  BOOST_TEST(c.search("").empty());
  BOOST_TEST(c.search("  ,.;  ").empty());
  BOOST_TEST(c.search("unrelated words").empty());
  search_options none;
  none.limit = 0;
  BOOST_TEST(c.search("something", none).empty());
  search_index empty;
  BOOST_TEST(empty.search("something", {}, c.docs, c.az).empty());
}

BOOST_AUTO_TEST_CASE(search_handles_a_ten_thousand_character_query) {
  corpus c{{{"a.md", "A", {"alpha beta gamma"}}, {"b.md", "B", {"delta"}}}};
  std::string query;
  for (int i = 0; query.size() < 10000; ++i)
    query += "word" + std::to_string(i) + " ";
  query += "alpha";
  BOOST_TEST(c.search(query).empty()); // "alpha" is beyond the first 64 distinct words
  BOOST_TEST(c.paths("alpha " + query) == (paths_t{"a.md"}));
}

BOOST_AUTO_TEST_CASE(search_gives_the_same_hits_from_several_threads_at_once) {
  std::vector<doc_spec> specs;
  for (int d = 0; d < 60; ++d)
    specs.push_back({"d" + std::to_string(d) + ".md",
                     "Doc " + std::to_string(d % 7),
                     {"alpha beta " + std::to_string(d % 5) + " gamma", "beta delta epsilon"}});
  corpus c{specs};
  const std::vector<std::string> queries{"alpha", "beta gamma", "delta 3", "doc epsilon"};
  std::vector<std::vector<search_hit>> expected;
  for (const auto& q : queries)
    expected.push_back(c.search(q));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      analyzer own;
      for (int round = 0; round < 50; ++round)
        for (size_t q = 0; q < queries.size(); ++q) {
          const auto hits = c.index.search(queries[q], {}, c.docs, own);
          bool same = hits.size() == expected[q].size();
          for (size_t i = 0; same && i < hits.size(); ++i)
            same = hits[i].doc == expected[q][i].doc && hits[i].score == expected[q][i].score &&
                   hits[i].snippet == expected[q][i].snippet;
          mismatches[t] += same ? 0 : 1;
        }
    });
  for (auto& th : pool)
    th.join();
  BOOST_TEST(mismatches == (std::vector<int>{0, 0, 0, 0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(search_index_maps_global_section_numbers) {
  corpus c{{{"a.md", "A", {"x", "y"}}, {"b.md", "B", {}}, {"c.md", "C", {"z", "w", "v"}}}};
  BOOST_TEST(c.index.section_count() == 5u);
  BOOST_TEST(c.index.global_section(2, 1) == 3u);
  BOOST_TEST((c.index.locate(3) == std::pair<uint32_t, uint32_t>{2, 1}));
  BOOST_TEST((c.index.locate(1) == std::pair<uint32_t, uint32_t>{0, 1}));
  const auto st = c.index.stats();
  BOOST_TEST(st.documents == 3u);
  BOOST_TEST(st.sections == 5u);
  BOOST_TEST(st.terms > 0u);
  BOOST_TEST(st.postings >= 5u);
}

BOOST_AUTO_TEST_CASE(build_indexes_documents_without_a_matching_analysis_without_terms) {
  std::vector<document> docs{make_doc({"a.md", "A", {"apple"}}),
                             make_doc({"b.md", "B", {"apple"}})};
  analyzer az;
  std::vector<analyzed_document> analyses{analyze(docs[0], az)}; // one missing
  const auto ix = search_index::build(docs, analyses, {});
  BOOST_TEST(ix.section_count() == 2u);
  const auto hits = ix.search("apple", {}, docs, az);
  BOOST_REQUIRE_EQUAL(hits.size(), 1u);
  BOOST_TEST(hits[0].doc == 0u);
}

// A random corpus with many ties (duplicated documents), inflected words, two languages,
// filters and retired documents: the pruned search must return exactly what scoring every
// section returns, for many random queries and limits.
BOOST_AUTO_TEST_CASE(pruned_top_k_equals_exhaustive_top_k_on_a_random_corpus) {
  std::mt19937 rng{20240617};
  const auto& words = sage::test::random_corpus_words;
  const auto& layers = sage::test::random_corpus_layers;
  const auto& tags = sage::test::random_corpus_tags;
  auto pick = [&](size_t n) { return words[rng() % std::min(n, words.size())]; };
  auto text = [&](size_t count) {
    std::string t;
    for (size_t i = 0; i < count; ++i)
      t += pick(rng() % 2 ? 12 : words.size()) + (rng() % 7 == 0 ? ".\n" : " ");
    return t;
  };
  std::vector<doc_spec> specs;
  for (int d = 0; d < 150; ++d) {
    doc_spec s;
    s.path = "doc" + std::to_string(rng() % 1000) + "_" + std::to_string(d) + ".md";
    s.title = text(1 + rng() % 3);
    for (size_t k = 0, n = 1 + rng() % 4; k < n; ++k)
      s.bodies.push_back(text(3 + rng() % 60));
    s.layer = layers[rng() % layers.size()];
    s.language = rng() % 4 == 0 ? "de" : (rng() % 10 == 0 ? "ja" : "en");
    if (rng() % 3 == 0) s.tags = {tags[rng() % tags.size()]};
    if (rng() % 10 == 0) s.status = "deprecated";
    specs.push_back(s);
    if (rng() % 5 == 0) { // an exact duplicate under another path: ties
      s.path = "dup" + std::to_string(d) + ".md";
      specs.push_back(s);
    }
  }
  corpus c{specs};
  corpus single{specs, {}, 1};
  for (int q = 0; q < 400; ++q) {
    std::string query;
    for (size_t i = 0, n = 1 + rng() % 5; i < n; ++i)
      query += (rng() % 9 == 0 ? std::string{"missing"} : pick(words.size())) + " ";
    search_options opts;
    opts.limit = 1 + rng() % 25;
    if (rng() % 4 == 0) opts.layers = {layers[rng() % layers.size()]};
    if (rng() % 5 == 0) opts.tags = {tags[rng() % tags.size()], tags[rng() % tags.size()]};
    opts.include_retired = rng() % 3 == 0;
    const auto pruned = c.index.search(query, opts, c.docs, c.az);
    const auto exhaustive = c.index.search_exhaustive(query, opts, c.docs, c.az);
    const auto one_thread = single.index.search(query, opts, single.docs, single.az);
    BOOST_TEST_CONTEXT("query '" << query << "' limit " << opts.limit) {
      BOOST_REQUIRE_EQUAL(pruned.size(), exhaustive.size());
      BOOST_REQUIRE_EQUAL(pruned.size(), one_thread.size());
      for (size_t i = 0; i < pruned.size(); ++i) {
        BOOST_TEST(pruned[i].doc == exhaustive[i].doc);
        BOOST_TEST(pruned[i].section == exhaustive[i].section);
        BOOST_TEST(pruned[i].score == exhaustive[i].score);
        BOOST_TEST(pruned[i].snippet == exhaustive[i].snippet);
        BOOST_TEST(pruned[i].doc == one_thread[i].doc);
        BOOST_TEST(pruned[i].section == one_thread[i].section);
        BOOST_TEST(pruned[i].score == one_thread[i].score);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
