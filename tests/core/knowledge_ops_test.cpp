// Tests of the knowledge operations: get, context (smart loading) within budgets, triggers.
// SPDX-License-Identifier: MIT
#include "core/kb_loader.hpp"
#include "core/knowledge_ops.hpp"
#include "core/triggers.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace sage::core;
using sage::test::temp_dir;

namespace {

struct ops_fixture {
  temp_dir dir;
  config cfg = default_config();
  std::shared_ptr<const knowledge_base> kb;
  token_counter tokens = *token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  analyzer an;

  ops_fixture() {
    dir.write("INDEX.md", "# Index\n\nThe map of this knowledge base.\n");
    dir.write("core/PRINCIPLES.md",
              "# Principles\n\n## Clarity\n\nSay what you mean in few words.\n\n## Safety\n\n"
              "Never lose data.\n");
    std::string long_text;
    for (int i = 0; i < 40; ++i)
      long_text += "Retries need backoff with jitter so that clients do not stampede. ";
    dir.write("frameworks/resilience/TIMEOUT_PATTERNS.md",
              "# Timeout Patterns\n\n## Deadlines\n\nEvery request carries a timeout deadline.\n\n"
              "## Circuit breakers\n\nA breaker opens after three failures.\n\n## Retries\n\n" +
                  long_text + "\n");
    dir.write(
        "guidelines/TESTING.md",
        "# Testing\n\n## Unit tests\n\nTest behaviour, not implementation.\n\n## Flaky tests\n\n"
        "A timeout in a test is a smell.\n");
    dir.write("guidelines/PYTHON.md", "# Python\n\n## Classes\n\nPrefer dataclasses.\n");
    dir.write("guidelines/OLD.md",
              "---\nstatus: deprecated\n---\n# Old timeout advice\n\ntimeout timeout\n");
    cfg.triggers = {{"python", {"python", "django"}, {"guidelines/PYTHON.md"}, 10},
                    {"classes", {"class"}, {"guidelines/PYTHON.md"}, 20},
                    {"testing", {"unit test", "flaky"}, {"guidelines/"}, 30}};
    kb = *load_knowledge_base(cfg, {dir.path(), {}, 1, 1, nullptr});
  }
  op_context ctx() { return {*kb, cfg, tokens, an}; }
};

bool contains(const std::vector<section_ref>& refs, const std::string& id) {
  return std::any_of(refs.begin(), refs.end(), [&](const auto& r) { return r.id == id; });
}

} // namespace

BOOST_AUTO_TEST_SUITE(knowledge_ops)

BOOST_AUTO_TEST_CASE(context_includes_core_and_the_relevant_sections) {
  ops_fixture f;
  auto r = build_context(f.ctx(), "add a timeout deadline to requests", 4000);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == "success");
  BOOST_TEST(contains(r->sections, "core/PRINCIPLES.md#clarity"));
  BOOST_TEST(contains(r->sections, "frameworks/resilience/TIMEOUT_PATTERNS.md#deadlines"));
  BOOST_TEST(!contains(r->sections, "guidelines/OLD.md#old-timeout-advice")); // deprecated
  BOOST_TEST(r->tokens == f.tokens.count(r->content));
  BOOST_TEST(
      r->content.find("<!-- source: frameworks/resilience/TIMEOUT_PATTERNS.md#deadlines -->") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(budget_is_never_exceeded_over_many_random_budgets) {
  ops_fixture f;
  std::mt19937 rng(42);
  const char* tasks[] = {"timeout retries backoff", "write unit tests", "python classes",
                         "clarity and safety", "circuit breaker failures jitter"};
  for (int i = 0; i < 200; ++i) {
    size_t budget = 1 + rng() % 900;
    auto r = build_context(f.ctx(), tasks[i % 5], budget);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->tokens <= budget, "budget " << budget << " used " << r->tokens);
    BOOST_TEST(r->tokens == f.tokens.count(r->content));
    BOOST_TEST(r->budget_limit == budget);
    if (!r->complete) BOOST_TEST(!r->omitted.empty());
  }
}

BOOST_AUTO_TEST_CASE(small_budget_lists_what_was_left_out) {
  ops_fixture f;
  auto r = build_context(f.ctx(), "retries with backoff and jitter", 120);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!r->complete);
  BOOST_TEST(contains(r->omitted, "frameworks/resilience/TIMEOUT_PATTERNS.md#retries"));
  for (const auto& o : r->omitted)
    BOOST_TEST(o.tokens > 0u);
}

BOOST_AUTO_TEST_CASE(context_output_is_stable_for_the_same_input) {
  ops_fixture f;
  auto a = build_context(f.ctx(), "timeout in flaky unit tests", 500);
  auto b = build_context(f.ctx(), "timeout in flaky unit tests", 500);
  BOOST_TEST(a->content == b->content);
  BOOST_TEST(a->omitted.size() == b->omitted.size());
}

BOOST_AUTO_TEST_CASE(triggers_match_whole_stemmed_words_only) {
  ops_fixture f;
  auto fired = fire_triggers("classification of Python modules", f.cfg.triggers, *f.kb, f.an);
  BOOST_REQUIRE_EQUAL(fired.size(), 1u);
  BOOST_TEST(fired[0].name == "python");
  auto classes = fire_triggers("refactor these classes", f.cfg.triggers, *f.kb, f.an);
  BOOST_REQUIRE_EQUAL(classes.size(), 1u);
  BOOST_TEST(classes[0].name == "classes");
  auto folder = fire_triggers("fix the flaky build", f.cfg.triggers, *f.kb, f.an);
  BOOST_REQUIRE_EQUAL(folder.size(), 1u);
  BOOST_TEST(folder[0].documents.size() == 3u); // guidelines/ means its .md files
  auto phrase = fire_triggers("unit tests for the parser", f.cfg.triggers, *f.kb, f.an);
  BOOST_TEST(phrase.size() == 1u);
  BOOST_TEST(fire_triggers("a test unit", f.cfg.triggers, *f.kb, f.an).empty());
}

BOOST_AUTO_TEST_CASE(triggered_documents_enter_the_context) {
  ops_fixture f;
  auto r = build_context(f.ctx(), "a django app", 4000);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(contains(r->sections, "guidelines/PYTHON.md#classes"));
}

BOOST_AUTO_TEST_CASE(get_loads_layers_documents_and_uris_within_a_budget) {
  ops_fixture f;
  auto layer = get_knowledge(f.ctx(), "guidelines", 0);
  BOOST_REQUIRE(layer.has_value());
  BOOST_TEST(layer->files_loaded.size() == 2u); // the deprecated one is not served
  auto by_uri = get_knowledge(f.ctx(), "knowledge://guidelines", 0);
  BOOST_REQUIRE(by_uri.has_value());
  BOOST_TEST(by_uri->files_loaded == layer->files_loaded);
  auto by_number = get_knowledge(f.ctx(), "0", 0);
  BOOST_TEST(by_number->layers == std::vector<std::string>{"core"});
  auto doc = get_knowledge(f.ctx(), "frameworks/resilience/timeout_patterns", 60);
  BOOST_REQUIRE(doc.has_value());
  BOOST_TEST(doc->tokens <= 60u);
  BOOST_TEST(!doc->complete);
  BOOST_TEST(contains(doc->omitted, "frameworks/resilience/TIMEOUT_PATTERNS.md#retries"));
  auto folder = get_knowledge(f.ctx(), "frameworks/resilience", 0);
  BOOST_REQUIRE(folder.has_value());
  BOOST_TEST(folder->files_loaded ==
             std::vector<std::string>{"frameworks/resilience/TIMEOUT_PATTERNS.md"});
  auto old = get_knowledge(f.ctx(), "guidelines/OLD", 0);
  BOOST_TEST(old.has_value()); // asked for explicitly
  BOOST_TEST(get_knowledge(f.ctx(), "nothing-here", 0).err().code == error_code::not_found);
  BOOST_TEST(get_knowledge(f.ctx(), "../../etc/passwd", 0).err().code == error_code::forbidden);
}

BOOST_AUTO_TEST_CASE(search_validates_its_input) {
  ops_fixture f;
  BOOST_TEST(run_search(f.ctx(), {"", 0, {}, {}, false}).err().code ==
             error_code::invalid_argument);
  BOOST_TEST(run_search(f.ctx(), {"a\xff", 0, {}, {}, false}).err().code ==
             error_code::invalid_argument);
  BOOST_TEST(run_search(f.ctx(), {"timeout", 51, {}, {}, false}).err().code ==
             error_code::invalid_argument);
  BOOST_TEST(run_search(f.ctx(), {"timeout", 5, {"nope"}, {}, false}).err().code ==
             error_code::not_found);
  auto ok = run_search(f.ctx(), {std::string(10000, 'x') + " timeout", 5, {}, {}, false});
  BOOST_REQUIRE(ok.has_value());
  auto hits = run_search(f.ctx(), {"timeout", 10, {"frameworks"}, {}, false});
  BOOST_REQUIRE(hits.has_value());
  BOOST_REQUIRE(!hits->results.empty());
  for (const auto& h : hits->results)
    BOOST_TEST(h.layer == "frameworks");
}

BOOST_AUTO_TEST_SUITE_END()
