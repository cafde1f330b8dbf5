// The message types of the working memory, sessions and budget survive CAF's binary serializer
// with every field set, including the optionals and JSON metadata CAF 0.17 cannot carry itself.
// SPDX-License-Identifier: MIT
#include "round_trip.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage;
using sage::test::system_fixture;

namespace {

core::memory_entry sample_entry() {
  core::memory_entry e;
  e.id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  e.type = core::memory_type::summary;
  e.priority = 70;
  e.content = "Ünïcödé summary";
  e.tokens = 5;
  e.session_id = "s-1";
  e.task_id = "T-9";
  e.tags = {"a", "b"};
  e.metadata = {{"source", "chat"}, {"n", 3}, {"nested", {{"x", nullptr}}}};
  e.created_at = "2026-01-01T00:00:00.000Z";
  e.updated_at = "2026-01-02T00:00:00.000Z";
  e.is_summarized = true;
  e.summary_of = {"x", "y"};
  return e;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(memory_message_tests, system_fixture)

BOOST_AUTO_TEST_CASE(entries_pages_and_reports_round_trip) {
  auto e = sample_entry();
  BOOST_TEST((round_trip(e) == e));
  auto batch = round_trip(std::vector<core::memory_entry>{e, core::memory_entry{}});
  BOOST_REQUIRE(batch.size() == 2u);
  BOOST_TEST((batch[0] == e));
  BOOST_TEST(batch[1].metadata == nlohmann::json::object());
  auto page = round_trip(core::memory_page{{e}, "cursor-1"});
  BOOST_REQUIRE(page.entries.size() == 1u);
  BOOST_TEST((page.entries[0] == e));
  BOOST_TEST(page.next_cursor == "cursor-1");
  core::session started;
  started.id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  started.objective = "ship";
  started.steps = {{"read", true, "2026-01-01T00:00:00Z"}};
  auto sessions = round_trip(core::session_page{{started}, started.id});
  BOOST_REQUIRE(sessions.sessions.size() == 1u);
  BOOST_TEST((sessions.sessions[0] == started));
  BOOST_TEST(sessions.next_cursor == started.id);
  auto report = round_trip(core::import_report{7, 2});
  BOOST_TEST(report.imported == 7u);
  BOOST_TEST(report.skipped == 2u);
}

BOOST_AUTO_TEST_CASE(updates_keep_set_and_unset_members_apart) {
  core::memory_update u;
  u.content = "new";
  u.priority = 30;
  u.type = core::memory_type::artifact;
  u.metadata = nlohmann::json{{"k", nullptr}};
  auto back = round_trip(u);
  BOOST_TEST(back.content.value_or("") == "new");
  BOOST_TEST(back.priority.value_or(0) == 30);
  BOOST_TEST(!back.tags.has_value());
  BOOST_TEST((back.type == core::memory_type::artifact));
  BOOST_TEST(!back.is_summarized.has_value());
  BOOST_REQUIRE(back.metadata.has_value());
  BOOST_TEST(back.metadata->at("k").is_null());
  // A null patch (remove every key) is not the same as no patch.
  core::memory_update null_patch;
  null_patch.metadata = nlohmann::json();
  auto null_back = round_trip(null_patch);
  BOOST_REQUIRE(null_back.metadata.has_value());
  BOOST_TEST(null_back.metadata->is_null());
  BOOST_TEST(!round_trip(core::memory_update{}).metadata.has_value());
}

BOOST_AUTO_TEST_CASE(queries_and_prune_filters_round_trip) {
  core::memory_query q;
  q.session_id = "s";
  q.type = core::memory_type::decision;
  q.tags_any = {"a"};
  q.tags_all = {"b", "c"};
  q.min_priority = 30;
  q.max_priority = 90;
  q.is_summarized = false;
  q.text = "harbour light";
  q.order_by = core::memory_order::priority;
  q.descending = false;
  q.limit = 7;
  q.cursor = "abc";
  auto b = round_trip(q);
  BOOST_TEST(b.session_id.value_or("") == "s");
  BOOST_TEST((b.type == core::memory_type::decision));
  BOOST_TEST(b.tags_all.size() == 2u);
  BOOST_TEST(b.min_priority.value_or(0) == 30);
  BOOST_TEST(b.max_priority.value_or(0) == 90);
  BOOST_TEST((b.is_summarized == false));
  BOOST_TEST(b.text == "harbour light");
  BOOST_TEST((b.order_by == core::memory_order::priority));
  BOOST_TEST(!b.descending);
  BOOST_TEST(b.limit == 7u);
  BOOST_TEST(b.cursor == "abc");
  auto none = round_trip(core::memory_query{});
  BOOST_TEST(!none.session_id.has_value());
  BOOST_TEST(!none.min_priority.has_value());

  core::prune_filter f;
  f.max_priority = 30;
  f.older_than = std::chrono::system_clock::time_point(std::chrono::milliseconds(1767225600123));
  f.session_id = "s";
  auto fb = round_trip(f);
  BOOST_TEST(fb.max_priority.value_or(0) == 30);
  BOOST_REQUIRE(fb.older_than.has_value());
  BOOST_TEST((*fb.older_than == *f.older_than));
  BOOST_TEST(fb.session_id.value_or("") == "s");
  BOOST_TEST(!round_trip(core::prune_filter{}).older_than.has_value());
}

BOOST_AUTO_TEST_CASE(sessions_and_checkpoints_round_trip) {
  core::session s;
  s.id = "sid";
  s.task_id = "T";
  s.objective = "ship";
  s.status = core::session_status::ended;
  s.steps = {{"build", true, "2026-01-01T00:00:00.000Z"}, {"test", false, ""}};
  s.last_action = "ran";
  s.last_result = "ok";
  s.resumed_from = "cp";
  s.created_at = "c";
  s.updated_at = "u";
  s.ended_at = "e";
  BOOST_TEST((round_trip(s) == s));
  auto list = round_trip(std::vector<core::session>{s});
  BOOST_REQUIRE(list.size() == 1u);
  BOOST_TEST((list[0] == s));

  core::session_change c;
  c.complete_step = 2;
  c.last_result = "green";
  c.decision = "keep it";
  auto cb = round_trip(c);
  BOOST_TEST(cb.complete_step.value_or(0) == 2u);
  BOOST_TEST(!cb.complete_step_text.has_value());
  BOOST_TEST(!cb.last_action.has_value());
  BOOST_TEST(cb.last_result.value_or("") == "green");
  BOOST_TEST(cb.decision.value_or("") == "keep it");
  BOOST_TEST(!cb.context.has_value());

  auto start = round_trip(actors::session_start{"obj", {"a", "b"}, "T", "cp-1"});
  BOOST_TEST(start.objective == "obj");
  BOOST_TEST(start.steps.size() == 2u);
  BOOST_TEST(start.task_id == "T");
  BOOST_TEST(start.checkpoint_id == "cp-1");

  actors::checkpoint_summary cp{"cp", "sid", "label", 4, 120, "t"};
  auto cps = round_trip(std::vector<actors::checkpoint_summary>{cp});
  BOOST_REQUIRE(cps.size() == 1u);
  BOOST_TEST(cps[0].label == "label");
  BOOST_TEST(cps[0].entries == 4u);
  BOOST_TEST(cps[0].tokens == 120);
  BOOST_TEST(round_trip(cp).created_at == "t");

  auto h = round_trip(actors::handoff_answer{"sid", "# Handoff", 3, "{}"});
  BOOST_TEST(h.session_id == "sid");
  BOOST_TEST(h.markdown == "# Handoff");
  BOOST_TEST(h.tokens == 3);
  BOOST_TEST(h.package == "{}");
}

BOOST_AUTO_TEST_CASE(budget_types_round_trip) {
  core::budget_config cfg;
  cfg.max_tokens = 1000;
  cfg.reserved_tokens = 100;
  auto status = core::make_status(cfg, 820, 30);
  auto sb = round_trip(status);
  BOOST_TEST(sb.available == 900u);
  BOOST_TEST(sb.used == 820u);
  BOOST_TEST(sb.reserved_by_reservations == 30u);
  BOOST_TEST((sb.level == core::budget_level::critical));
  BOOST_TEST(sb.thresholds.overflow == 0.95);
  auto check = round_trip(core::check(status, 10));
  BOOST_TEST(check.fits);
  BOOST_TEST(check.used_after == 860u);

  actors::budget_report r{"sid", status, {"summarise now"}, "# Budget"};
  auto rb = round_trip(r);
  BOOST_TEST(rb.session_id == "sid");
  BOOST_TEST(rb.status.used == 820u);
  BOOST_TEST(rb.recommendations.at(0) == "summarise now");
  BOOST_TEST(rb.markdown == "# Budget");

  actors::budget_observation o{"sid", status, core::budget_level::warning, true};
  auto ob = round_trip(o);
  BOOST_TEST(ob.session_id == "sid");
  BOOST_TEST(ob.status.used == 820u);
  BOOST_TEST((ob.status.level == core::budget_level::critical));
  BOOST_TEST((ob.previous == core::budget_level::warning));
  BOOST_TEST(ob.changed);
  auto obs = round_trip(std::vector<actors::budget_observation>{o, o});
  BOOST_TEST(obs.size() == 2u);
  BOOST_TEST(obs.at(1).status.reserved_by_reservations == 30u);

  actors::budget_plan p{"sid", actors::budget_step::prune};
  auto pb = round_trip(p);
  BOOST_TEST(pb.session_id == "sid");
  BOOST_TEST((pb.step == actors::budget_step::prune));
  auto plans = round_trip(std::vector<actors::budget_plan>{
      p, {"other", actors::budget_step::summarise}, {"third", actors::budget_step::none}});
  BOOST_TEST(plans.size() == 3u);
  BOOST_TEST((plans.at(1).step == actors::budget_step::summarise));
  BOOST_TEST((plans.at(2).step == actors::budget_step::none));

  auto sb2 = round_trip(actors::budget_stats{7, 9, 2, 5, 3, 1});
  BOOST_TEST(sb2.observe_requests == 7u);
  BOOST_TEST(sb2.observed_sessions == 9u);
  BOOST_TEST(sb2.level_notes == 2u);
  BOOST_TEST(sb2.front_requests == 5u);
  BOOST_TEST(sb2.store_requests == 3u);
  BOOST_TEST(sb2.plans_to_act == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
