// The memory store and the token budget controller inside a real engine: entries, sessions,
// checkpoints and reservations through the bridge, the events they publish, the budget acting
// at critical and overflow, bad input answered as errors, and a crashed store restarted.
// SPDX-License-Identifier: MIT
#include "actors/engine.hpp"
#include "actors/event_collector.hpp"
#include "actors/memory_store.hpp"

#include "core/kb_loader.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <sys/stat.h>
#include <thread>

using namespace sage;
using namespace std::chrono_literals;

namespace {

struct memory_fixture {
  test::temp_dir kb;
  test::temp_dir data;
  std::unique_ptr<actors::engine> engine;
  std::optional<core::token_counter> tokens;

  memory_fixture() {
    kb.write("INDEX.md", "# Index\n\nNotes about lighthouses.\n");
    start();
  }

  void start(int max_content_bytes = 4096, core::memory_retention retention = {}) {
    if (engine) engine->stop();
    auto cfg = core::default_config();
    cfg.kb_path = kb.path().string();
    cfg.cache_enabled = false;
    cfg.data_dir = (data.path() / "sage").string();
    cfg.memory_max_content_bytes = max_content_bytes;
    cfg.engine.shutdown_grace = 1s;
    cfg.budget.max_tokens = 1000; // 900 available, as in the examples
    cfg.budget.reserved_tokens = 100;
    cfg.memory_retention = retention;
    auto counter = core::token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE(counter);
    tokens = *counter;
    core::kb_load_options opts;
    opts.root = kb.path();
    auto loaded = core::load_knowledge_base(cfg, opts);
    BOOST_REQUIRE(loaded);
    actors::engine_options eo;
    eo.workers = 1;
    engine = actors::engine::start(cfg, *counter, std::move(*loaded), eo);
    BOOST_REQUIRE(engine->await_ready());
  }

  actors::bridge& calls() { return engine->calls(); }

  caf::actor child(const std::string& name) {
    caf::scoped_actor self{engine->system()};
    caf::actor out;
    self->request(engine->node(), 2s, actors::atom::worker_v, name)
        .receive([&](caf::actor& a) { out = std::move(a); }, [](caf::error&) {});
    return out;
  }

  std::shared_ptr<test::event_log> collect() {
    return test::collect_events(engine->system(),
                                caf::actor_cast<actors::event_router_actor>(child("event_router")));
  }

  /// Text of about `n` tokens in sentences, so that a summary has something to choose from.
  std::string text_of(size_t n, const std::string& topic) {
    std::string out;
    for (int i = 0; tokens->count(out) < n; ++i)
      out += "Note " + std::to_string(i) + " says the " + topic + " needs care. ";
    return out;
  }

  core::memory_entry entry(const std::string& session, core::memory_type type, int priority,
                           std::string content) {
    core::memory_entry e;
    e.session_id = session;
    e.type = type;
    e.priority = priority;
    e.content = std::move(content);
    return e;
  }

  /// What the budget controller has been asked and has asked so far.
  actors::budget_stats budget_stats() {
    caf::scoped_actor self{engine->system()};
    actors::budget_stats out;
    bool answered = false;
    self->request(caf::actor_cast<actors::token_budget_actor>(child("token_budget")), 2s,
                  actors::atom::stats_v)
        .receive(
            [&](const actors::budget_stats& s) {
              out = s;
              answered = true;
            },
            [](caf::error&) {});
    BOOST_REQUIRE(answered);
    return out;
  }

  size_t used(const std::string& session) {
    auto report = calls().budget_status(session);
    BOOST_REQUIRE(report);
    return report->status.used;
  }
};

/// The `to` levels of the `budget.level_changed` events of a session, in order.
std::vector<std::string> level_changes(test::event_log& log, const std::string& session) {
  std::lock_guard<std::mutex> lock{log.mutex};
  std::vector<std::string> out;
  for (const auto& e : log.events)
    if (e.type == "budget.level_changed") {
      auto payload = nlohmann::json::parse(e.payload);
      if (payload["session_id"] == session) out.push_back(payload["to"]);
    }
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(memory_store_tests, memory_fixture)

BOOST_AUTO_TEST_CASE(entries_round_trip_through_the_store_and_publish_events) {
  auto log = collect();
  auto added = calls().memory_add(entry("s1", core::memory_type::decision, 70, "Use SQLite."));
  BOOST_REQUIRE(added);
  BOOST_TEST(added->id.size() == 36u);
  BOOST_TEST(added->tokens > 0);
  auto got = calls().memory_get(added->id);
  BOOST_REQUIRE(got);
  BOOST_TEST(got->content == "Use SQLite.");
  core::memory_update change;
  change.metadata = nlohmann::json{{"source", "review"}};
  change.tags = std::vector<std::string>{"db"};
  auto updated = calls().memory_update(added->id, change);
  BOOST_REQUIRE(updated);
  BOOST_TEST(updated->metadata["source"] == "review");
  core::memory_query q;
  q.session_id = "s1";
  q.tags_any = {"db"};
  auto page = calls().memory_query(q);
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->entries.size() == 1u);
  BOOST_TEST(page->entries[0].id == added->id);
  auto deleted = calls().memory_delete(added->id);
  BOOST_REQUIRE(deleted);
  BOOST_TEST(*deleted == added->id);
  BOOST_TEST(log->wait_for("memory.deleted", 2s).has_value());
  BOOST_TEST(log->count("memory.added") == 1u);
  BOOST_TEST(log->count("memory.updated") == 1u);
  auto gone = calls().memory_get(added->id);
  BOOST_REQUIRE(!gone);
  BOOST_TEST(gone.err().code == core::error_code::not_found);
}

BOOST_AUTO_TEST_CASE(the_database_is_created_private_on_first_use_only) {
  auto file = actors::memory_db_path(engine->context()->cfg);
  BOOST_TEST(!std::filesystem::exists(file)); // knowledge requests alone never open it
  BOOST_REQUIRE(calls().info());
  BOOST_TEST(!std::filesystem::exists(file));
  BOOST_REQUIRE(calls().memory_add(entry("", core::memory_type::context, 50, "first")));
  BOOST_REQUIRE(std::filesystem::exists(file));
  struct stat st {};
  BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  BOOST_REQUIRE(::stat(file.parent_path().c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0700);
}

BOOST_AUTO_TEST_CASE(bad_input_is_an_error_and_the_store_keeps_serving) {
  auto unknown = calls().memory_get("00000000-0000-0000-0000-000000000000");
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(unknown.err().code == core::error_code::not_found);
  auto bad_utf8 = calls().memory_add(entry("s", core::memory_type::context, 50, "bad \xff\xfe"));
  BOOST_REQUIRE(!bad_utf8);
  BOOST_TEST(bad_utf8.err().code == core::error_code::invalid_argument);
  auto oversize =
      calls().memory_add(entry("s", core::memory_type::context, 50, std::string(5000, 'x')));
  BOOST_REQUIRE(!oversize);
  BOOST_TEST(oversize.err().code == core::error_code::invalid_argument);
  BOOST_TEST(oversize.err().message.find("4096") != std::string::npos);
  BOOST_TEST(!oversize.err().hint.empty());
  auto bad_priority = calls().memory_add(entry("s", core::memory_type::context, 101, "x"));
  BOOST_REQUIRE(!bad_priority);
  BOOST_TEST(bad_priority.err().code == core::error_code::invalid_argument);
  auto no_session = calls().session_status("nope");
  BOOST_REQUIRE(!no_session);
  BOOST_TEST(no_session.err().code == core::error_code::not_found);
  auto bad_filter = calls().sessions("sleeping");
  BOOST_REQUIRE(!bad_filter);
  BOOST_TEST(bad_filter.err().code == core::error_code::invalid_argument);
  auto bad_import = calls().memory_import("{\"type\":\"context\"}\nnot json\n");
  BOOST_REQUIRE(!bad_import);
  BOOST_TEST(bad_import.err().message.find("lines 1, 2") != std::string::npos);
  BOOST_TEST(bad_import.err().hint.find("not valid json") != std::string::npos);
  BOOST_TEST(
      calls().memory_add(entry("s", core::memory_type::context, 50, "still fine")).has_value());
}

BOOST_AUTO_TEST_CASE(levels_change_once_each_and_critical_summarises) {
  auto log = collect();
  const std::string s = "budget-session";
  // One HIGH decision that must survive, then normal context entries of ~100 tokens each.
  auto keep = calls().memory_add(
      entry(s, core::memory_type::decision, core::priority_level::high, text_of(100, "vault")));
  BOOST_REQUIRE(keep);
  std::vector<std::string> levels_seen;
  for (int i = 0; i < 9; ++i) {
    auto added =
        calls().memory_add(entry(s, core::memory_type::context, core::priority_level::normal,
                                 text_of(100, "harbour " + std::to_string(i))));
    BOOST_REQUIRE(added);
    auto report = calls().budget_status(s);
    BOOST_REQUIRE(report);
    // After every write the controller has acted: never left at critical or above.
    BOOST_TEST((report->status.level < core::budget_level::critical));
  }
  BOOST_REQUIRE(log->wait_for("memory.summarized", 2s).has_value());
  auto changes = level_changes(*log, s);
  BOOST_REQUIRE(changes.size() >= 3u);
  for (size_t i = 1; i < changes.size(); ++i)
    BOOST_TEST(changes[i] != changes[i - 1]); // each change published once
  BOOST_TEST(std::count(changes.begin(), changes.end(), "critical") >= 1);
  // The HIGH decision is neither summarised nor gone; a summary entry lists what it replaced.
  auto kept = calls().memory_get(keep->id);
  BOOST_REQUIRE(kept);
  BOOST_TEST(!kept->is_summarized);
  core::memory_query q;
  q.session_id = s;
  q.type = core::memory_type::summary;
  auto summaries = calls().memory_query(q);
  BOOST_REQUIRE(summaries);
  BOOST_REQUIRE(!summaries->entries.empty());
  for (const auto& id : summaries->entries[0].summary_of) {
    auto original = calls().memory_get(id);
    BOOST_REQUIRE(original);
    BOOST_TEST(original->is_summarized);
    BOOST_TEST(original->priority <= core::priority_level::normal);
  }
}

BOOST_AUTO_TEST_CASE(overflow_prunes_ephemeral_then_low_and_keeps_high) {
  auto log = collect();
  const std::string s = "overflow-session";
  std::vector<core::memory_entry> batch;
  batch.push_back(
      entry(s, core::memory_type::artifact, core::priority_level::high, text_of(300, "keel")));
  for (int i = 0; i < 3; ++i)
    batch.push_back(entry(s, core::memory_type::conversation, core::priority_level::ephemeral,
                          text_of(100, "gull " + std::to_string(i))));
  for (int i = 0; i < 3; ++i)
    batch.push_back(entry(s, core::memory_type::artifact, core::priority_level::low,
                          text_of(100, "rope " + std::to_string(i))));
  auto added = calls().memory_add(batch); // ~900 tokens at once: overflow
  BOOST_REQUIRE(added);
  BOOST_REQUIRE(added->size() == batch.size());
  BOOST_REQUIRE(log->wait_for("memory.pruned", 2s).has_value());
  BOOST_TEST(used(s) < 810u); // below critical (90 % of 900)
  BOOST_TEST(calls().memory_get(added->at(0).id).has_value());
  // Ephemeral entries went first: one was enough, so every low entry is still there.
  size_t ephemeral_left = 0;
  for (size_t i = 1; i <= 3; ++i)
    ephemeral_left += calls().memory_get(added->at(i).id).has_value();
  BOOST_TEST(ephemeral_left < 3u);
  for (size_t i = 4; i <= 6; ++i)
    BOOST_TEST(calls().memory_get(added->at(i).id).has_value());
}

BOOST_AUTO_TEST_CASE(a_memory_write_costs_one_request_to_the_budget_controller_and_none_back) {
  auto started = calls().session_start({"count requests", {"one"}, "", ""});
  BOOST_REQUIRE(started);
  const auto s = started->id;
  core::session_change decided;
  decided.decision = "Count what crosses the mailbox.";
  BOOST_REQUIRE(calls().session_update(s, decided));
  auto cp = calls().checkpoint(s, "before the writes");
  BOOST_REQUIRE(cp);
  auto reservation = calls().reserve(s, 10, 0);
  BOOST_REQUIRE(reservation);

  const auto before = budget_stats();
  size_t writes = 0;
  auto added = calls().memory_add(entry(s, core::memory_type::context, 50, "one entry"));
  BOOST_REQUIRE(added);
  ++writes;
  std::vector<core::memory_entry> batch{entry(s, core::memory_type::context, 50, "a"),
                                        entry("other-a", core::memory_type::context, 50, "b"),
                                        entry("other-b", core::memory_type::context, 50, "c")};
  BOOST_REQUIRE(calls().memory_add(batch)); // three sessions, still one request
  ++writes;
  core::memory_update change;
  change.tags = std::vector<std::string>{"counted"};
  BOOST_REQUIRE(calls().memory_update(added->id, change));
  ++writes;
  BOOST_REQUIRE(calls().memory_delete(added->id));
  ++writes;
  core::session_change context;
  context.context = "more context";
  BOOST_REQUIRE(calls().session_update(s, context));
  ++writes;
  BOOST_REQUIRE(calls().restore(cp->id));
  ++writes;
  BOOST_REQUIRE(calls().commit(*reservation)); // itself a request to the controller
  ++writes;
  // An overflow: the store prunes in the same handler, and tells the controller the new level
  // one-way, without a request either way.
  std::vector<core::memory_entry> full;
  for (int i = 0; i < 9; ++i)
    full.push_back(entry(s, core::memory_type::conversation, core::priority_level::ephemeral,
                         text_of(100, "tide " + std::to_string(i))));
  BOOST_REQUIRE(calls().memory_add(full));
  ++writes;
  const auto after = budget_stats();

  BOOST_TEST(after.observe_requests - before.observe_requests == writes);
  BOOST_TEST(after.observed_sessions - before.observed_sessions == writes + 2);
  BOOST_TEST(after.front_requests - before.front_requests == 1u); // the commit
  BOOST_TEST(after.store_requests - before.store_requests == 0u); // nothing back to the store
  BOOST_TEST(after.plans_to_act - before.plans_to_act == 1u);     // the overflow
  BOOST_TEST(used(s) < 810u); // pruned before the batch was answered (90 % of 900)
  // status and check still ask the store: one request each.
  BOOST_TEST(calls().budget_check(s, 1).has_value());
  BOOST_TEST(budget_stats().store_requests - after.store_requests == 2u); // used() and the check
}

BOOST_AUTO_TEST_CASE(a_batch_is_answered_after_every_session_it_touched_was_dealt_with) {
  auto log = collect();
  std::vector<core::memory_entry> batch;
  for (const std::string s : {"harbour-a", "harbour-b"}) {
    batch.push_back(
        entry(s, core::memory_type::artifact, core::priority_level::high, text_of(300, "keel")));
    for (int i = 0; i < 6; ++i)
      batch.push_back(entry(s, core::memory_type::conversation, core::priority_level::ephemeral,
                            text_of(100, s + " gull " + std::to_string(i))));
  }
  auto added = calls().memory_add(batch); // ~900 tokens in each session: overflow in both
  BOOST_REQUIRE(added);
  // No waiting: the answer came after both sessions were pruned.
  BOOST_TEST(used("harbour-a") < 810u);
  BOOST_TEST(used("harbour-b") < 810u);
  BOOST_TEST(log->wait_for("memory.pruned", 2s).has_value());
  // Each session went to overflow and back, each change published once.
  for (const std::string s : {"harbour-a", "harbour-b"}) {
    for (int i = 0; i < 100 && level_changes(*log, s).size() < 2; ++i)
      std::this_thread::sleep_for(10ms);
    auto changes = level_changes(*log, s);
    BOOST_REQUIRE(changes.size() == 2u);
    BOOST_TEST(changes[0] == "overflow");
    BOOST_TEST(changes[1] != "overflow");
  }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_restores_entries_and_state_on_resume) {
  auto started = calls().session_start({"ship the release", {"build", "test", "tag"}, "T-1", ""});
  BOOST_REQUIRE(started);
  const auto id = started->id;
  core::session_change done;
  done.complete_step = 0;
  done.decision = "Release from the main branch.";
  BOOST_REQUIRE(calls().session_update(id, done));
  auto cp = calls().checkpoint(id, "after build");
  BOOST_REQUIRE(cp);
  BOOST_TEST(cp->entries == 1u);
  // Work after the checkpoint: a step, an entry, the decision deleted.
  core::session_change more;
  more.complete_step = 1;
  BOOST_REQUIRE(calls().session_update(id, more));
  BOOST_REQUIRE(calls().memory_add(entry(id, core::memory_type::context, 50, "later note")));
  core::memory_query q;
  q.session_id = id;
  auto before = calls().memory_query(q);
  BOOST_REQUIRE(before);
  BOOST_REQUIRE(before->entries.size() == 2u);
  auto resumed = calls().session_start({"", {}, "", cp->id});
  BOOST_REQUIRE(resumed);
  BOOST_TEST(resumed->id == id);
  BOOST_TEST(resumed->steps.at(0).done);
  BOOST_TEST(!resumed->steps.at(1).done);
  auto after = calls().memory_query(q);
  BOOST_REQUIRE(after);
  BOOST_REQUIRE(after->entries.size() == 1u);
  BOOST_TEST(after->entries[0].type == core::memory_type::decision);
  auto list = calls().checkpoints(id);
  BOOST_REQUIRE(list);
  BOOST_TEST(list->size() == 1u);
  auto unknown = calls().session_start({"", {}, "", "no-such-checkpoint"});
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(unknown.err().code == core::error_code::not_found);
}

BOOST_AUTO_TEST_CASE(a_handoff_fits_its_budget_and_names_the_session) {
  auto log = collect();
  auto s = calls().session_start({"migrate the database", {"dump", "convert", "load"}, "", ""});
  BOOST_REQUIRE(s);
  for (int i = 0; i < 5; ++i) {
    core::session_change c;
    c.decision = "Decision " + std::to_string(i) + ": " + text_of(40, "schema");
    c.context = text_of(60, "table " + std::to_string(i));
    BOOST_REQUIRE(calls().session_update(s->id, c));
  }
  for (uint64_t max : {120u, 300u, 2000u}) {
    auto h = calls().handoff(s->id, max);
    BOOST_REQUIRE(h);
    BOOST_TEST(static_cast<uint64_t>(h->tokens) <= max);
    BOOST_TEST(tokens->count(h->markdown) <= max);
    BOOST_TEST(h->markdown.find(s->id) != std::string::npos);
    auto package = nlohmann::json::parse(h->package);
    BOOST_TEST(package.is_object());
  }
  BOOST_TEST(log->wait_for("session.handoff", 2s).has_value());
  auto ended = calls().session_end(s->id);
  BOOST_REQUIRE(ended);
  BOOST_TEST((ended->status == core::session_status::ended));
  BOOST_TEST(log->wait_for("session.ended", 2s).has_value());
  BOOST_TEST(!calls().session_end(s->id).has_value()); // ending twice is an error
}

BOOST_AUTO_TEST_CASE(reservations_hold_tokens_until_committed_or_released) {
  auto s = calls().session_start({"reserve", {}, "", ""});
  BOOST_REQUIRE(s);
  auto fits = calls().budget_check(s->id, 500);
  BOOST_REQUIRE(fits);
  BOOST_TEST(fits->fits);
  auto r = calls().reserve(s->id, 600, 0);
  BOOST_REQUIRE(r);
  auto now = calls().budget_check(s->id, 500);
  BOOST_REQUIRE(now);
  BOOST_TEST(!now->fits); // 600 held + 500 > 900
  BOOST_REQUIRE(calls().release(*r));
  auto again = calls().budget_check(s->id, 500);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->fits);
  BOOST_TEST(!calls().release(*r).has_value()); // released twice
  auto short_lived = calls().reserve(s->id, 600, 50);
  BOOST_REQUIRE(short_lived);
  std::this_thread::sleep_for(120ms);
  auto expired = calls().budget_check(s->id, 500);
  BOOST_REQUIRE(expired);
  BOOST_TEST(expired->fits); // the hold expired
  BOOST_TEST(!calls().commit(*short_lived).has_value());
  auto unknown_session = calls().reserve("no-such-session", 10, 0);
  BOOST_REQUIRE(!unknown_session);
  BOOST_TEST(unknown_session.err().code == core::error_code::not_found);
  auto report = calls().budget_status(s->id);
  BOOST_REQUIRE(report);
  BOOST_TEST(report->markdown.find("NORMAL") != std::string::npos);
  BOOST_TEST(!report->recommendations.empty());
}

BOOST_AUTO_TEST_CASE(retention_rules_apply_after_each_write) {
  core::memory_retention keep_two;
  keep_two.conversation.max_count = 2;
  start(4096, keep_two);
  auto log = collect();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto added = calls().memory_add(
        entry("chat", core::memory_type::conversation, 50, "turn " + std::to_string(i)));
    BOOST_REQUIRE(added);
    ids.push_back(added->id);
  }
  auto kept = calls().memory_add(entry("chat", core::memory_type::decision, 50, "not limited"));
  BOOST_REQUIRE(kept);
  core::memory_query q;
  q.session_id = "chat";
  q.type = core::memory_type::conversation;
  auto page = calls().memory_query(q);
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->entries.size() == 2u);
  BOOST_TEST(page->entries[0].id == ids[3]); // newest first
  BOOST_TEST(page->entries[1].id == ids[2]);
  BOOST_TEST(calls().memory_get(kept->id).has_value());
  auto pruned = log->wait_for("memory.pruned", 2s);
  BOOST_REQUIRE(pruned.has_value());
  BOOST_TEST(nlohmann::json::parse(pruned->payload)["reason"] == "retention");
  auto again = calls().memory_retain(); // on demand: nothing left to delete
  BOOST_REQUIRE(again);
  BOOST_TEST(again->empty());
}

BOOST_AUTO_TEST_CASE(a_crashed_store_is_restarted_and_loses_nothing) {
  auto added = calls().memory_add(entry("s", core::memory_type::context, 50, "durable"));
  BOOST_REQUIRE(added);
  auto store = child("memory_store");
  BOOST_REQUIRE(store);
  caf::anon_send_exit(store, caf::exit_reason::kill);
  std::optional<core::memory_entry> back;
  for (int i = 0; i < 100 && !back; ++i) {
    std::this_thread::sleep_for(20ms);
    if (auto got = calls().memory_get(added->id)) back = *got;
  }
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->content == "durable");
  // The restarted store is wired to the budget controller again.
  BOOST_TEST(calls().budget_status("s").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
