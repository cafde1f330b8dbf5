// Search ranking on the real corpora: the sage-kb knowledge base and the tldr pages.
// SPDX-License-Identifier: MIT
#include "core/kb_loader.hpp"
#include "core/knowledge_ops.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;
namespace fs = std::filesystem;

namespace {

/// Loads a corpus folder, or reports why not. Absence fails under CI=true.
std::shared_ptr<const knowledge_base> load_corpus(const fs::path& root, const config& cfg) {
  if (!sage::test::corpus_available(root)) {
    BOOST_TEST(!sage::test::running_in_ci(), "corpus missing under CI: " << root);
    return nullptr;
  }
  auto kb = load_knowledge_base(cfg, {root, {}, 1, 2, nullptr});
  BOOST_REQUIRE(kb.has_value());
  return *kb;
}

/// The tldr pages extracted once into the build tree (extraction takes a few seconds).
fs::path tldr_pages() {
  auto archive = sage::test::corpora_dir() / "tldr-pages.tar.xz";
  auto target = fs::path(SAGE_TEST_WORK_DIR) / "tldr";
  if (fs::exists(target / "pages.de")) return target;
  if (!fs::exists(archive)) return archive; // reported as missing by load_corpus
  fs::create_directories(target);
  auto cmd = "tar xJf '" + archive.string() + "' -C '" + target.string() + "'";
  BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  return target;
}

size_t rank_of(const search_answer& a, std::string_view path) {
  for (size_t i = 0; i < a.results.size(); ++i)
    if (a.results[i].path == path) return i + 1;
  return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(corpus_search)

BOOST_AUTO_TEST_CASE(timeout_query_ranks_the_timeout_patterns_document_top_3) {
  config cfg = default_config();
  auto kb = load_corpus(sage::test::corpora_dir() / "sage-kb/knowledge", cfg);
  if (!kb) return;
  BOOST_TEST(kb->documents.size() >= 180u);
  auto tokens = *token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  analyzer an;
  op_context ctx{*kb, cfg, tokens, an};
  for (const char* q :
       {"timeout", "timeouts", "timeout patterns and fallbacks", "timeout retry circuit breaker"}) {
    auto r = run_search(ctx, {q, 10, {}, {}, false});
    BOOST_REQUIRE(r.has_value());
    auto rank = rank_of(*r, "frameworks/resilience/TIMEOUT_PATTERNS.md");
    BOOST_TEST((rank >= 1 && rank <= 3), "query \"" << q << "\" ranked it " << rank);
  }
  // Smart loading on the real corpus stays inside the budget and includes the document.
  auto c = build_context(ctx, "design timeout handling with circuit breakers", 4000);
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->tokens <= 4000u);
  bool has_timeouts = false;
  for (const auto& f : c->files_loaded)
    has_timeouts = has_timeouts || f == "frameworks/resilience/TIMEOUT_PATTERNS.md";
  BOOST_TEST(has_timeouts);
}

BOOST_AUTO_TEST_CASE(german_query_finds_german_tldr_pages) {
  config cfg = default_config();
  auto kb = load_corpus(tldr_pages(), cfg);
  if (!kb) return;
  BOOST_TEST(kb->documents.size() == 38405u); // every page, `..md` (the page of `.`) too
  auto tokens = *token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  analyzer an;
  op_context ctx{*kb, cfg, tokens, an};
  auto r = run_search(ctx, {"komprimiertes Archiv erstellen", 10, {}, {}, false});
  BOOST_REQUIRE(r.has_value());
  BOOST_REQUIRE(!r->results.empty());
  size_t german = 0;
  for (const auto& hit : r->results)
    german += hit.path.rfind("pages.de/", 0) == 0;
  BOOST_TEST(german >= 5u, german << " of " << r->results.size() << " hits are German pages");
  BOOST_TEST(r->results.front().path.rfind("pages.de/", 0) == 0);
  // An English query still finds English pages first.
  auto en = run_search(ctx, {"extract a compressed archive", 5, {}, {}, false});
  BOOST_REQUIRE(en.has_value() && !en->results.empty());
  BOOST_TEST(en->results.front().path.rfind("pages/", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
