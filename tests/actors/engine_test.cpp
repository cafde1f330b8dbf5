// The whole engine with a real actor system over a real knowledge base on disk: answers through
// the bridge, file changes served within a second while searches continue, crashed children
// restarted and rewired, and an ordered shutdown that leaves no actor running.
// SPDX-License-Identifier: MIT
#include "actors/engine.hpp"
#include "actors/event_collector.hpp"

#include "core/kb_loader.hpp"
#include "support/test_support.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <thread>

using namespace sage;
using namespace std::chrono_literals;

namespace {

std::string doc(const std::string& title, const std::string& body) {
  return "---\ntitle: " + title + "\n---\n\n# " + title + "\n\n" + body + "\n";
}

/// A small knowledge base in a temporary folder, and an engine over it.
struct engine_fixture {
  test::temp_dir dir;
  std::unique_ptr<actors::engine> engine;

  engine_fixture() {
    dir.write("INDEX.md", doc("Index", "Start here for anything about lighthouses."));
    dir.write("core/PRINCIPLES.md", doc("Principles", "Lighthouses guide ships safely home."));
    dir.write("guidelines/STYLE.md", doc("Style", "Write about lighthouses and harbours."));
    dir.write("guidelines/OLD.md", doc("Old", "An old page about harbours."));
  }

  void start(unsigned workers, bool watch) {
    auto cfg = core::default_config();
    cfg.kb_path = dir.path().string();
    cfg.cache_enabled = false;
    cfg.kb_watch_debounce = 50ms;
    cfg.engine.shutdown_grace = 1s;
    auto tokens = core::token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE(tokens);
    core::kb_load_options opts;
    opts.root = dir.path();
    auto kb = core::load_knowledge_base(cfg, opts);
    BOOST_REQUIRE(kb);
    actors::engine_options eo;
    eo.workers = workers;
    eo.watch = watch;
    engine = actors::engine::start(cfg, std::move(*tokens), std::move(*kb), eo);
  }

  core::result<core::search_answer> search(const std::string& q) {
    return engine->calls().search({q, 10, {}, {}, false});
  }

  bool finds(const std::string& word, const std::string& path) {
    auto r = search(word);
    if (!r) return false;
    for (const auto& hit : r->results)
      if (hit.path == path) return true;
    return false;
  }

  /// Polls until `cond` holds or `limit` passes; returns how long it took, or nullopt.
  template <class F>
  std::optional<std::chrono::milliseconds> within(std::chrono::milliseconds limit, F cond) {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      if (cond())
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  caf::actor child(const std::string& name) {
    caf::scoped_actor self{engine->system()};
    caf::actor out;
    self->request(engine->node(), 2s, actors::atom::worker_v, name)
        .receive([&](caf::actor& a) { out = std::move(a); }, [](caf::error&) {});
    return out;
  }

  actors::child_status status_of(const std::string& name) {
    caf::scoped_actor self{engine->system()};
    actors::child_status out;
    self->request(engine->node(), 2s, actors::atom::children_v)
        .receive(
            [&](std::vector<actors::child_status>& all) {
              for (auto& c : all)
                if (c.name == name) out = c;
            },
            [](caf::error&) {});
    return out;
  }

  std::shared_ptr<test::event_log> collect() {
    return test::collect_events(engine->system(),
                                caf::actor_cast<actors::event_router_actor>(child("event_router")));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(engine_tests, engine_fixture)

BOOST_AUTO_TEST_CASE(every_operation_answers_through_the_bridge) {
  start(2, false);
  auto hits = search("lighthouses");
  BOOST_REQUIRE(hits);
  BOOST_TEST(hits->status == "success");
  BOOST_TEST(hits->results.size() >= 3u);
  BOOST_TEST(hits->index.generation == 1u);
  auto got = engine->calls().get({"guidelines", 0, false});
  BOOST_REQUIRE(got);
  BOOST_TEST(got->files_loaded.size() == 2u);
  BOOST_TEST(got->timeout_ms == core::default_config().timeout.layer.count());
  auto ctx = engine->calls().context({"lighthouses and ships", 500, {}});
  BOOST_REQUIRE(ctx);
  BOOST_TEST(ctx->tokens <= 500u);
  auto named = engine->calls().named({0, "sty", 0}); // a unique prefix
  BOOST_REQUIRE(named);
  BOOST_TEST(named->files_loaded.at(0) == "guidelines/STYLE.md");
  auto odd_kind = engine->calls().named({7, "style", 0});
  BOOST_REQUIRE(!odd_kind);
  BOOST_TEST(odd_kind.err().code == core::error_code::invalid_argument);
  auto missing = engine->calls().get({"guidelines/NOPE.md", 0, false});
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.err().code == core::error_code::not_found);
  auto layers = engine->calls().layers();
  BOOST_REQUIRE(layers);
  BOOST_TEST(layers->layers.size() >= 2u);
  auto info = engine->calls().info();
  BOOST_REQUIRE(info);
  BOOST_TEST(info->documents == 4u);
  auto listing = engine->calls().documents("guidelines");
  BOOST_REQUIRE(listing);
  BOOST_TEST(listing->documents.size() == 2u);
  auto bad = engine->calls().search({"", 10, {}, {}, false});
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.err().code == core::error_code::invalid_argument);
}

BOOST_AUTO_TEST_CASE(file_changes_show_up_within_a_second_while_searches_never_fail) {
  start(2, true);
  auto events = collect();
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0}, failures{0};
  // A concurrent stream of searches across every swap: each must succeed and see the page
  // that never changes.
  std::thread reader([&] {
    while (!stop) {
      auto r = search("harbours");
      ++searches;
      bool ok = r && r->status == "success";
      if (ok) {
        ok = false;
        for (const auto& hit : r->results)
          ok = ok || hit.path == "guidelines/STYLE.md";
      }
      if (!ok) ++failures;
    }
  });

  dir.write("guidelines/NEW.md", doc("New", "Quokkas live on an island."));
  auto added = within(1s, [&] { return finds("quokkas", "guidelines/NEW.md"); });
  BOOST_TEST(added.has_value(), "an added file is not found within 1 s");

  dir.write("guidelines/OLD.md", doc("Old", "An old page about wombats now."));
  auto edited = within(1s, [&] { return finds("wombats", "guidelines/OLD.md"); });
  BOOST_TEST(edited.has_value(), "an edited file is not found within 1 s");

  std::filesystem::remove(dir / "guidelines/NEW.md");
  auto removed = within(1s, [&] { return !finds("quokkas", "guidelines/NEW.md"); });
  BOOST_TEST(removed.has_value(), "a removed file is still found after 1 s");

  stop = true;
  reader.join();
  BOOST_TEST(failures == 0);
  BOOST_TEST(searches > 10);
  auto r = search("harbours");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->index.generation >= 4u);
  auto changed = events->wait_for("loader.changed", 1s);
  BOOST_REQUIRE(changed);
  BOOST_TEST(changed->payload.find("guidelines/NEW.md") != std::string::npos);
  BOOST_TEST(events->count("loader.complete") >= 3u);
}

BOOST_AUTO_TEST_CASE(a_knowledge_base_that_disappears_is_served_until_it_comes_back) {
  start(1, true);
  auto events = collect();
  std::filesystem::remove_all(dir.path());
  BOOST_REQUIRE(events->wait_for("loader.error", 3s));
  auto still = search("lighthouses"); // the last good snapshot keeps answering
  BOOST_REQUIRE(still);
  BOOST_TEST(!still->results.empty());

  dir.write("INDEX.md", doc("Index", "Back again."));
  dir.write("guidelines/RETURN.md", doc("Return", "Narwhals came back with the folder."));
  auto back = within(5s, [&] { return finds("narwhals", "guidelines/RETURN.md"); });
  BOOST_TEST(back.has_value(), "the restored folder is not served within 5 s");
  BOOST_TEST(events->count("loader.error") == 1u); // retried quietly, reported once

  // Watching again: a later edit is picked up like any other.
  dir.write("guidelines/RETURN.md", doc("Return", "Axolotls now."));
  auto edited = within(1s, [&] { return finds("axolotls", "guidelines/RETURN.md"); });
  BOOST_TEST(edited.has_value(), "an edit after the folder came back is not seen within 1 s");
}

BOOST_AUTO_TEST_CASE(crashed_children_are_restarted_with_backoff_and_rewired) {
  start(2, false);
  auto events = collect();
  for (const char* name : {"worker-0", "loader", "timeout_supervisor"}) {
    BOOST_TEST_CONTEXT(name) {
      auto victim = child(name);
      BOOST_REQUIRE(victim);
      caf::anon_send_exit(victim, caf::exit_reason::kill);
      auto back = within(3s, [&] {
        auto s = status_of(name);
        return s.running && s.restarts == 1;
      });
      BOOST_REQUIRE(back.has_value());
      BOOST_TEST(status_of(name).last_exit.find("kill") != std::string::npos);
      BOOST_TEST((child(name) != victim));
      // The restarted child is wired in: queries go through it again.
      auto works = within(2s, [&] {
        auto r = search("lighthouses");
        return r && r->status == "success" && !r->results.empty();
      });
      BOOST_TEST(works.has_value());
    }
  }
  auto restart = events->wait_for("system.restart", 1s);
  BOOST_REQUIRE(restart);
  BOOST_TEST(restart->payload.find("\"actor\":\"worker-0\"") != std::string::npos);
  BOOST_TEST(restart->payload.find("\"backoff_ms\":100") != std::string::npos);
  BOOST_TEST(events->count("system.restart") == 3u);
}

BOOST_AUTO_TEST_CASE(queries_go_on_while_one_worker_is_down) {
  start(2, false);
  auto victim = child("worker-1");
  caf::anon_send_exit(victim, caf::exit_reason::kill);
  for (int i = 0; i < 20; ++i) {
    auto r = search("lighthouses");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == "success");
  }
}

BOOST_AUTO_TEST_CASE(ordered_shutdown_leaves_no_actor_running) {
  start(2, true);
  auto& sys = engine->system();
  auto log = std::make_shared<test::event_log>();
  auto collector = sys.spawn(test::event_collector, log);
  {
    caf::scoped_actor self{sys, true};
    self->request(caf::actor_cast<actors::event_router_actor>(child("event_router")), 2s,
                  actors::atom::subscribe_v, actors::subscription{"system.*", 10, 1000},
                  caf::actor_cast<caf::actor>(collector))
        .receive([](uint64_t) {}, [](caf::error&) { BOOST_FAIL("subscribe failed"); });
  }
  for (int i = 0; i < 5; ++i)
    BOOST_REQUIRE(search("lighthouses"));
  engine->stop();
  BOOST_REQUIRE(log->wait_for("system.shutdown", 1s));
  caf::anon_send_exit(collector, caf::exit_reason::kill); // the test's own actor
  auto none = within(2s, [&] { return sys.registry().running() == 0; });
  BOOST_TEST(none.has_value(), "actors still running: " << sys.registry().running());
  // Calls after the stop get an error, not a hang.
  auto late = search("lighthouses");
  BOOST_TEST(!late);
}

BOOST_AUTO_TEST_SUITE_END()
