// Tests of the pieces the actor engine builds on: progress reports and cancellation of long
// operations, the built-in fallback answer, snapshot diffs and knowledge-base summaries.
// SPDX-License-Identifier: MIT
#include "core/fallback.hpp"
#include "core/kb_diff.hpp"
#include "core/kb_loader.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_ops.hpp"
#include "core/progress.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

using namespace sage::core;
using sage::test::temp_dir;

namespace {

/// Records every partial answer; wants them (or not) and gives up as told.
class recording_sink final : public progress_sink {
public:
  bool want_partials = true;
  bool cancel_from_start = false;
  bool cancel_after_first_partial = false;
  mutable std::vector<load_result> partials;
  mutable int cancel_checks = 0;

  bool wants_partial() const override { return want_partials; }

  void partial(const load_result& ready) const override { partials.push_back(ready); }

  bool cancelled() const override {
    ++cancel_checks;
    return cancel_from_start || (cancel_after_first_partial && !partials.empty());
  }
};

token_counter load_counter() {
  auto counter = token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(counter.has_value());
  return *counter;
}

std::shared_ptr<const knowledge_base> load(const config& cfg, const temp_dir& dir,
                                           uint64_t generation = 1) {
  auto kb = load_knowledge_base(cfg, {dir.path(), {}, generation, 2, nullptr});
  BOOST_REQUIRE(kb.has_value());
  return *kb;
}

std::vector<std::string> ids_of(const std::vector<section_ref>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs)
    out.push_back(r.id);
  return out;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// An index, two core sections and more guideline documents than one packing chunk holds.
struct large_layer_kb {
  static constexpr int rule_count = 300;

  temp_dir dir;
  config cfg = default_config();
  token_counter tokens = load_counter();
  analyzer an;
  std::shared_ptr<const knowledge_base> kb;

  large_layer_kb() {
    dir.write("INDEX.md", "# Index\n\nThe map of this knowledge base.\n");
    dir.write("core/PRINCIPLES.md", "# Principles\n\n## Clarity\n\nSay what you mean.\n\n"
                                    "## Safety\n\nNever lose data.\n");
    for (int i = 0; i < rule_count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "guidelines/RULE_%03d.md", i);
      dir.write(name, "# Rule " + std::to_string(i) + "\n\nKeep retry rule " + std::to_string(i) +
                          " short and bounded.\n");
    }
    kb = load(cfg, dir);
  }

  op_context ctx(const progress_sink* sink = nullptr) { return {*kb, cfg, tokens, an, sink}; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(get_of_a_large_layer_reports_growing_prefixes_of_the_answer) {
  large_layer_kb f;
  auto full = get_knowledge(f.ctx(), "guidelines", 0);
  BOOST_REQUIRE(full.has_value());
  BOOST_REQUIRE(full->sections.size() == size_t{large_layer_kb::rule_count});
  BOOST_TEST(full->complete);

  recording_sink sink;
  auto r = get_knowledge(f.ctx(&sink), "guidelines", 0);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(ids_of(r->sections) == ids_of(full->sections));
  BOOST_TEST(r->content == full->content);
  BOOST_REQUIRE(!sink.partials.empty());
  auto final_ids = ids_of(r->sections);
  size_t previous = 0;
  for (const auto& p : sink.partials) {
    BOOST_TEST(!p.complete);
    BOOST_TEST(!p.sections.empty());
    BOOST_TEST(p.sections.size() < final_ids.size());
    BOOST_TEST(p.sections.size() >= previous);
    previous = p.sections.size();
    auto ids = ids_of(p.sections);
    BOOST_TEST(std::equal(ids.begin(), ids.end(), final_ids.begin()),
               "a partial answer is a prefix of the final one");
    BOOST_TEST(p.tokens == f.tokens.count(p.content));
    BOOST_TEST(p.index.generation == f.kb->stamp.generation);
  }
}

BOOST_AUTO_TEST_CASE(partials_under_a_budget_stay_within_it_and_inside_the_answer) {
  large_layer_kb f;
  auto full = get_knowledge(f.ctx(), "guidelines", 0);
  BOOST_REQUIRE(full.has_value());
  // Most of the layer fits, so the first chunk is taken whole and the rest only in part.
  size_t budget = full->tokens * 9 / 10;
  recording_sink sink;
  auto r = get_knowledge(f.ctx(&sink), "guidelines", budget);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->tokens <= budget);
  BOOST_TEST(!r->complete);
  BOOST_TEST(!r->omitted.empty());
  BOOST_REQUIRE(!sink.partials.empty());
  auto final_ids = ids_of(r->sections);
  std::set<std::string> in_final(final_ids.begin(), final_ids.end());
  for (const auto& p : sink.partials) {
    BOOST_TEST(!p.complete);
    BOOST_TEST(p.tokens <= budget);
    BOOST_TEST(p.budget_limit == budget);
    BOOST_TEST(p.sections.size() < final_ids.size());
    for (const auto& s : p.sections)
      BOOST_TEST(in_final.count(s.id) == 1u, s.id << " of a partial answer is in the final one");
  }
}

BOOST_AUTO_TEST_CASE(no_partials_when_the_sink_does_not_want_them) {
  large_layer_kb f;
  recording_sink sink;
  sink.want_partials = false;
  auto r = get_knowledge(f.ctx(&sink), "guidelines", 0);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(sink.partials.empty());
  BOOST_TEST(sink.cancel_checks > 0);
  BOOST_TEST(r->sections.size() == size_t{large_layer_kb::rule_count});
}

BOOST_AUTO_TEST_CASE(cancelled_get_stops_between_chunks) {
  large_layer_kb f;
  recording_sink from_start;
  from_start.cancel_from_start = true;
  auto none = get_knowledge(f.ctx(&from_start), "guidelines", 0);
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(none->sections.size() < size_t{large_layer_kb::rule_count});
  BOOST_TEST(!none->complete); // stopped early: never claims to be whole

  recording_sink after_first;
  after_first.cancel_after_first_partial = true;
  auto some = get_knowledge(f.ctx(&after_first), "guidelines", 0);
  BOOST_REQUIRE(some.has_value());
  BOOST_TEST(after_first.partials.size() == 1u);
  BOOST_TEST(!some->sections.empty());
  BOOST_TEST(some->sections.size() < size_t{large_layer_kb::rule_count});
  BOOST_TEST(ids_of(some->sections) == ids_of(after_first.partials[0].sections));
  BOOST_TEST(!some->complete);
}

BOOST_AUTO_TEST_CASE(context_offers_the_always_loaded_sections_first) {
  large_layer_kb f;
  recording_sink sink;
  auto r = build_context(f.ctx(&sink), "retry rule 7 short bounded", 2000);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->status == "success");
  BOOST_REQUIRE(sink.partials.size() == 1u);
  const auto& p = sink.partials[0];
  BOOST_TEST(!p.complete);
  BOOST_TEST(p.tokens <= 2000u);
  BOOST_REQUIRE(!p.sections.empty());
  for (const auto& s : p.sections)
    BOOST_TEST((starts_with(s.id, "INDEX.md") || starts_with(s.id, "core/")), s.id);
  for (const auto& l : p.layers)
    BOOST_TEST((l == "index" || l == "core"), l);
  auto ids = ids_of(r->sections);
  BOOST_TEST(std::any_of(ids.begin(), ids.end(),
                         [](const auto& id) { return starts_with(id, "guidelines/"); }),
             "the final answer goes beyond the always-loaded layers");
  for (const auto& s : p.sections)
    BOOST_TEST(std::count(ids.begin(), ids.end(), s.id) == 1, s.id << " kept in the answer");
}

BOOST_AUTO_TEST_CASE(cancelled_context_is_a_timed_out_error) {
  large_layer_kb f;
  recording_sink sink;
  sink.cancel_from_start = true;
  auto r = build_context(f.ctx(&sink), "retry rule 7", 2000);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().code == error_code::timed_out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fallback)

BOOST_AUTO_TEST_CASE(fallback_answer_is_the_core_text_with_the_reason) {
  auto tokens = load_counter();
  BOOST_REQUIRE(!fallback_core_text().empty());
  auto r = fallback_result(tokens, 0, "why");
  BOOST_TEST(r.status == "fallback");
  BOOST_TEST(!r.complete);
  BOOST_TEST(r.errors == std::vector<std::string>{"why"});
  BOOST_TEST(r.content == std::string(fallback_core_text()));
  BOOST_TEST(r.tokens == tokens.count(r.content));
  BOOST_TEST(r.budget_limit == 0u);
}

BOOST_AUTO_TEST_CASE(fallback_answer_is_cut_at_a_line_to_fit_a_budget) {
  auto tokens = load_counter();
  const std::string full(fallback_core_text());
  BOOST_REQUIRE(tokens.count(full) > 40u);
  auto r = fallback_result(tokens, 40, "late");
  BOOST_TEST(r.tokens <= 40u);
  BOOST_TEST(r.tokens == tokens.count(r.content));
  BOOST_TEST(!r.content.empty());
  BOOST_TEST(r.content.size() < full.size());
  BOOST_TEST(full.compare(0, r.content.size(), r.content) == 0, "a prefix of the core text");
  BOOST_TEST(r.content.back() == '\n');
  BOOST_TEST(r.budget_limit == 40u);
  BOOST_TEST(r.status == "fallback");
  // Every budget holds, down to one where not even the first line fits.
  for (size_t budget = 1; budget <= tokens.count(full) + 1; ++budget) {
    auto cut = fallback_result(tokens, budget, "b");
    BOOST_TEST_CONTEXT("budget " << budget) {
      BOOST_TEST(cut.tokens <= budget);
      BOOST_TEST(cut.tokens == tokens.count(cut.content));
      BOOST_TEST(full.compare(0, cut.content.size(), cut.content) == 0);
      BOOST_TEST((cut.content.empty() || cut.content.back() == '\n'));
    }
  }
}

BOOST_AUTO_TEST_CASE(mark_partial_says_why_it_stopped) {
  load_result r;
  r.content = "ready";
  r.errors = {"earlier"};
  mark_partial(r, "timed out after 2s");
  BOOST_TEST(r.status == "partial");
  BOOST_TEST(!r.complete);
  BOOST_TEST(r.errors == (std::vector<std::string>{"earlier", "timed out after 2s"}));
  BOOST_TEST(r.content == "ready");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kb_diff)

BOOST_AUTO_TEST_CASE(diff_names_added_changed_and_removed_files) {
  temp_dir dir;
  auto cfg = default_config();
  dir.write("INDEX.md", "# Index\n\nMap.\n");
  dir.write("guidelines/KEEP.md", "# Keep\n\nUnchanged.\n");
  dir.write("guidelines/EDIT.md", "# Edit\n\nShort.\n");
  dir.write("guidelines/DROP.md", "# Drop\n\nGoing away.\n");
  auto before = load(cfg, dir, 1);
  auto again = load(cfg, dir, 2);
  BOOST_TEST(diff_snapshots(*before, *again).empty());

  dir.write("guidelines/EDIT.md", "# Edit\n\nA much longer text than before.\n");
  dir.write("guidelines/NEW.md", "# New\n\nFresh.\n");
  std::filesystem::remove(dir / "guidelines/DROP.md");
  auto after = load(cfg, dir, 3);
  auto d = diff_snapshots(*before, *after);
  BOOST_TEST(!d.empty());
  BOOST_TEST(d.added == std::vector<std::string>{"guidelines/NEW.md"});
  BOOST_TEST(d.changed == std::vector<std::string>{"guidelines/EDIT.md"});
  BOOST_TEST(d.removed == std::vector<std::string>{"guidelines/DROP.md"});
  BOOST_TEST(d.added_uris == std::vector<std::string>{"knowledge://guidelines/NEW.md"});
  BOOST_TEST(d.changed_uris == std::vector<std::string>{"knowledge://guidelines/EDIT.md"});
  BOOST_TEST(d.removed_uris == std::vector<std::string>{"knowledge://guidelines/DROP.md"});
  auto back = diff_snapshots(*after, *before);
  BOOST_TEST(back.added == std::vector<std::string>{"guidelines/DROP.md"});
  BOOST_TEST(back.changed == std::vector<std::string>{"guidelines/EDIT.md"});
  BOOST_TEST(back.removed == std::vector<std::string>{"guidelines/NEW.md"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kb_summary)

namespace {

struct summary_kb {
  temp_dir dir;
  config cfg = default_config();
  token_counter tokens = load_counter();
  analyzer an;
  std::shared_ptr<const knowledge_base> kb;

  summary_kb() {
    cfg.cache_enabled = false;
    dir.write("INDEX.md", "# Index\n\nMap.\n");
    dir.write("core/PRINCIPLES.md",
              "# Principles\n\n## Clarity\n\nSay what you mean.\n\n## Safety\n\nKeep data.\n");
    dir.write("guidelines/TESTING.md", "# Testing\n\nTest behaviour.\n");
    dir.write("guidelines/PYTHON.md", "# Python\n\nPrefer dataclasses.\n");
    dir.write("notes/misc.md", "# Misc\n\nOther things.\n");
    kb = load(cfg, dir, 7);
  }

  op_context ctx() { return {*kb, cfg, tokens, an}; }

  size_t tokens_of(const std::vector<std::string>& paths) const {
    size_t n = 0;
    for (const auto& p : paths)
      for (const auto& s : kb->find(p)->sections)
        n += tokens.count(s.text);
    return n;
  }
};

const layer_summary* find_layer(const layers_answer& a, std::string_view name) {
  auto it =
      std::find_if(a.layers.begin(), a.layers.end(), [&](const auto& l) { return l.name == name; });
  return it == a.layers.end() ? nullptr : &*it;
}

} // namespace

BOOST_AUTO_TEST_CASE(layers_are_counted_in_configured_order_with_other_last) {
  summary_kb f;
  auto a = summarize_layers(f.ctx());
  BOOST_REQUIRE(a.layers.size() == f.cfg.layers.size() + 1);
  for (size_t i = 0; i < f.cfg.layers.size(); ++i) {
    BOOST_TEST(a.layers[i].name == f.cfg.layers[i].name);
    BOOST_TEST(a.layers[i].priority == f.cfg.layers[i].priority);
    BOOST_TEST(a.layers[i].always_loaded == f.cfg.layers[i].always);
  }
  const auto& other = a.layers.back();
  BOOST_TEST(other.name == "other");
  BOOST_TEST(other.folder == "(elsewhere)");
  BOOST_TEST(other.priority == -1);
  BOOST_TEST(other.documents == 1u);
  BOOST_TEST(other.sections == 1u);

  const auto* guidelines = find_layer(a, "guidelines");
  BOOST_REQUIRE(guidelines);
  BOOST_TEST(guidelines->documents == 2u);
  BOOST_TEST(guidelines->sections == 2u);
  BOOST_TEST(guidelines->tokens == f.tokens_of({"guidelines/TESTING.md", "guidelines/PYTHON.md"}));
  BOOST_TEST(guidelines->tokens > 0u);
  const auto* core = find_layer(a, "core");
  BOOST_REQUIRE(core);
  BOOST_TEST(core->documents == 1u);
  BOOST_TEST(core->sections == f.kb->find("core/PRINCIPLES.md")->sections.size());
  BOOST_TEST(core->sections >= 2u);
  BOOST_TEST(core->always_loaded);
  const auto* templates = find_layer(a, "templates");
  BOOST_REQUIRE(templates);
  BOOST_TEST(templates->documents == 0u);
  BOOST_TEST(templates->tokens == 0u);
  BOOST_TEST(a.encoding == "cl100k_base");
  BOOST_TEST(a.index.generation == 7u);
}

BOOST_AUTO_TEST_CASE(no_other_layer_when_every_file_is_in_a_layer) {
  temp_dir dir;
  auto cfg = default_config();
  dir.write("INDEX.md", "# Index\n\nMap.\n");
  dir.write("guidelines/TESTING.md", "# Testing\n\nTest behaviour.\n");
  auto kb = load(cfg, dir);
  auto tokens = load_counter();
  analyzer an;
  auto a = summarize_layers({*kb, cfg, tokens, an});
  BOOST_TEST(a.layers.size() == cfg.layers.size());
  BOOST_TEST(!find_layer(a, "other"));
}

BOOST_AUTO_TEST_CASE(documents_are_listed_per_layer_and_unknown_layers_are_not_found) {
  summary_kb f;
  auto g = list_documents(f.ctx(), "guidelines");
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->layer == "guidelines");
  BOOST_REQUIRE(g->documents.size() == 2u);
  BOOST_TEST(g->documents[0].path == "guidelines/PYTHON.md"); // path order
  BOOST_TEST(g->documents[0].title == "Python");
  BOOST_TEST(g->documents[1].path == "guidelines/TESTING.md");
  BOOST_TEST(starts_with(g->documents[1].uri, "knowledge://guidelines/"));
  auto by_alias = list_documents(f.ctx(), "1");
  BOOST_REQUIRE(by_alias.has_value());
  BOOST_TEST(by_alias->layer == "guidelines");
  auto other = list_documents(f.ctx(), "other");
  BOOST_REQUIRE(other.has_value());
  BOOST_REQUIRE(other->documents.size() == 1u);
  BOOST_TEST(other->documents[0].path == "notes/misc.md");
  auto unknown = list_documents(f.ctx(), "nonsense");
  BOOST_REQUIRE(!unknown.has_value());
  BOOST_TEST(unknown.err().code == error_code::not_found);
  BOOST_TEST(unknown.err().message.find("nonsense") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(describe_counts_documents_sections_and_configuration) {
  summary_kb f;
  auto i = describe_kb(f.ctx());
  BOOST_TEST(i.version == SAGE_VERSION);
  BOOST_TEST(i.kb_path == f.kb->root.string());
  BOOST_TEST(i.documents == 5u);
  size_t sections = 0;
  for (const auto& l : summarize_layers(f.ctx()).layers)
    sections += l.sections;
  BOOST_TEST(i.sections == sections);
  BOOST_TEST(i.sections >= 6u);
  BOOST_TEST(i.problems == 0u);
  BOOST_TEST(i.index.generation == 7u);
  BOOST_TEST(i.files_parsed + i.files_from_cache == 5u);
  BOOST_TEST(i.token_encoding == f.cfg.token_encoding);
  BOOST_TEST(i.default_budget == f.cfg.loading.default_budget);
  BOOST_TEST(i.core_share == f.cfg.loading.core_share);
  BOOST_TEST(i.cache_dir.empty()); // the cache is off
  BOOST_TEST(i.layer_count == f.cfg.layers.size());
  BOOST_TEST(i.trigger_count == f.cfg.triggers.size());
}

BOOST_AUTO_TEST_SUITE_END()
