// A real engine over a small temporary knowledge base and an initialized MCP session on it, for
// the tests of the methods that call the engine (tools, resources, prompts, completion).
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/completion.hpp"
#include "services/mcp/logging.hpp"
#include "services/mcp/prompts.hpp"
#include "services/mcp/resources.hpp"
#include "services/mcp/worker_pool.hpp"

#include "actors/engine.hpp"
#include "core/kb_loader.hpp"
#include "mcp/session_fixture.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace sage::services::mcp::test {

inline std::string kb_doc(const std::string& title, const std::string& body) {
  return "---\ntitle: " + title + "\n---\n\n# " + title + "\n\n" + body + "\n";
}

/// A real engine over the knowledge base a derived fixture writes into `kb`, a worker pool, and
/// an initialized session on a server with whatever `start` is told to register.
struct engine_session {
  static constexpr auto answer_wait = std::chrono::seconds(20);

  sage::test::temp_dir kb;
  sage::test::temp_dir data;
  std::unique_ptr<actors::engine> engine;
  std::unique_ptr<worker_pool> pool;
  std::shared_ptr<server> srv = std::make_shared<server>();
  recorder rec;
  std::optional<session> s;
  int next_id = 1;
  bool watch_kb = false; ///< the engine rebuilds on file changes (50 ms debounce)

  ~engine_session() {
    s.reset();
    pool.reset(); // finish running calls before the engine goes
    if (engine) engine->stop();
  }

  /// Loads `kb`, starts the engine and a pool of 2, lets `install` register methods on the
  /// server, then opens and initializes the session.
  void start(const std::function<void(server&, actors::engine&, worker_pool&)>& install) {
    using namespace std::chrono_literals;
    auto cfg = core::default_config();
    cfg.kb_path = kb.path().string();
    cfg.cache_enabled = false;
    cfg.data_dir = (data.path() / "sage").string();
    cfg.engine.shutdown_grace = 1s;
    cfg.kb_watch_debounce = 50ms;
    auto counter = core::token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE(counter);
    core::kb_load_options opts;
    opts.root = kb.path();
    auto loaded = core::load_knowledge_base(cfg, opts);
    BOOST_REQUIRE(loaded);
    actors::engine_options eo;
    eo.workers = 2;
    eo.watch = watch_kb;
    engine = actors::engine::start(cfg, *counter, std::move(*loaded), eo);
    BOOST_REQUIRE(engine->await_ready());
    pool = std::make_unique<worker_pool>(2);
    install(*srv, *engine, *pool);
    session_options so;
    so.sink = rec.sink();
    so.log = rec.log();
    s.emplace(srv, std::move(so));
    BOOST_REQUIRE(s->handle(initialize_text("2025-11-25", 1000)));
    s->handle(notification_text("notifications/initialized"));
  }

  /// The answer to a request, direct or delivered later through the sink.
  json request(const std::string& method, json params = json::object()) {
    int id = next_id++;
    if (auto direct = s->handle(request_text(method, id, std::move(params)))) return *direct;
    auto until = std::chrono::steady_clock::now() + answer_wait;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock{rec.mutex};
        for (const auto& m : rec.sent)
          if (m.value("id", json()) == id) return m;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    BOOST_FAIL("no answer to " << method << " id " << id);
    return {};
  }
};

/// The resources, prompts, completion and logging methods over a small lighthouse KB.
struct engine_fixture : engine_session {
  std::shared_ptr<const log_settings> logging;
  std::shared_ptr<resource_watch> watch;

  /// `page_size`: of resources/list, small to test paging; `watch_files`: rebuild on changes.
  explicit engine_fixture(size_t page_size = resources_page_size, bool watch_files = false) {
    watch_kb = watch_files;
    kb.write("INDEX.md", kb_doc("Index", "Start here for anything about lighthouses."));
    kb.write("core/PRINCIPLES.md", kb_doc("Principles", "Lighthouses guide ships safely home."));
    kb.write("guidelines/STYLE.md", kb_doc("Style", "Write about lighthouses and harbours."));
    kb.write("guidelines/SECURITY.md", kb_doc("Security", "Lock the lamp room at night."));
    kb.write("guidelines/testing/SEA_TRIALS.md", kb_doc("Sea trials", "Test lamps at sea."));
    kb.write("frameworks/BEACON.md", kb_doc("Beacon", "A framework for beacon maintenance."));
    kb.write("templates/REPORT.md", kb_doc("Report", "A template for keeper reports."));
    start([&](server& srv, actors::engine& eng, worker_pool& p) {
      watch = std::make_shared<resource_watch>(eng);
      register_resources(srv, eng, p, watch, page_size);
      register_prompts(srv, eng, p);
      register_completion(srv, eng, p);
      logging = register_logging(srv);
    });
  }

  /// The result of a request that must succeed.
  json ok(const std::string& method, json params = json::object()) {
    auto answer = request(method, std::move(params));
    BOOST_REQUIRE_MESSAGE(answer.contains("result"),
                          method << " failed: " << answer.dump().substr(0, 2000));
    return answer["result"];
  }

  /// The error of a request that must fail.
  json fails(const std::string& method, json params) {
    auto answer = request(method, std::move(params));
    BOOST_REQUIRE_MESSAGE(answer.contains("error"),
                          method << " did not fail: " << answer.dump().substr(0, 2000));
    return answer["error"];
  }

  /// A session started through the engine, for handoffs and session id completion.
  std::string start_session(const std::string& objective) {
    actors::session_start req;
    req.objective = objective;
    auto started = engine->calls().session_start(std::move(req));
    BOOST_REQUIRE_MESSAGE(started, "failed to start a session");
    return started->id;
  }
};

} // namespace sage::services::mcp::test
