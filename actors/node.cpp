// The node.
// SPDX-License-Identifier: MIT
#include "actors/node.hpp"

#include "actors/error.hpp"
#include "actors/event_logger.hpp"
#include "actors/event_publisher.hpp"
#include "actors/event_router.hpp"
#include "actors/memory_store.hpp"
#include "actors/query_worker.hpp"
#include "actors/timeout_supervisor.hpp"
#include "actors/token_budget.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <spdlog/spdlog.h>

namespace sage::actors {
namespace {

using clock_type = std::chrono::steady_clock;
using self_pointer = node_actor::stateful_pointer<node_state>;
constexpr const char* source_name = "node";
constexpr const char* router_name = "event_router";
constexpr const char* loader_name = "loader";
constexpr const char* supervisor_name = "timeout_supervisor";
constexpr const char* worker_prefix = "worker-";
constexpr const char* store_name = "memory_store";
constexpr const char* budget_name = "token_budget";

event_router_actor router_of(node_state& st) {
  auto* c = st.find(router_name);
  return c && c->running ? caf::actor_cast<event_router_actor>(c->handle) : event_router_actor{};
}

void wire(const caf::actor& to, const std::string& role, uint32_t slot, const caf::actor& what) {
  if (to && what) caf::anon_send(to, atom::wire_v, role, slot, what);
}

/// Spawns one child, monitored, and hands its handle to the children that use it.
void spawn_child(self_pointer self, child& c) {
  auto& st = self->state;
  auto handle_of = [&](const std::string& name) {
    auto* other = st.find(name);
    return other && other->running ? other->handle : caf::actor{};
  };
  if (c.name == router_name) {
    c.handle = caf::actor_cast<caf::actor>(self->spawn<caf::monitored>(
        event_router_announcing, std::shared_ptr<event_interest>(st.ctx, &st.ctx->events)));
    for (const auto* user : {loader_name, supervisor_name, store_name, budget_name})
      wire(handle_of(user), router_name, 0, c.handle);
  } else if (c.name.starts_with(worker_prefix)) {
    c.handle = caf::actor_cast<caf::actor>(self->spawn<caf::monitored>(query_worker, st.ctx));
    wire(handle_of(loader_name), "worker", c.slot, c.handle);
  } else if (c.name == loader_name) {
    c.handle = caf::actor_cast<caf::actor>(
        self->spawn<caf::monitored>(loader, st.ctx, st.settings.loader));
    wire(c.handle, router_name, 0, handle_of(router_name));
    for (const auto& w : st.children)
      if (w.name.starts_with(worker_prefix) && w.running)
        wire(c.handle, "worker", w.slot, w.handle);
    wire(handle_of(supervisor_name), loader_name, 0, c.handle);
  } else if (c.name == supervisor_name) {
    c.handle = caf::actor_cast<caf::actor>(self->spawn<caf::monitored>(
        timeout_supervisor, st.ctx, caf::actor_cast<loader_actor>(handle_of(loader_name)),
        caf::actor_cast<event_router_actor>(handle_of(router_name))));
  } else if (c.name == store_name) {
    // Detached: SQLite calls block, up to the busy timeout when another process writes.
    c.handle = caf::actor_cast<caf::actor>(
        self->spawn<caf::detached + caf::monitored>(memory_store, st.ctx));
    wire(c.handle, router_name, 0, handle_of(router_name));
    wire(c.handle, budget_name, 0, handle_of(budget_name));
    wire(handle_of(budget_name), store_name, 0, c.handle);
  } else if (c.name == budget_name) {
    c.handle = caf::actor_cast<caf::actor>(self->spawn<caf::monitored>(token_budget, st.ctx));
    wire(c.handle, router_name, 0, handle_of(router_name));
    wire(c.handle, store_name, 0, handle_of(store_name));
    wire(handle_of(store_name), budget_name, 0, c.handle);
  }
  c.running = true;
  c.started = clock_type::now();
}

/// Stops the children of the current shutdown stage, or moves on when none is running.
void run_stage(self_pointer self) {
  auto& st = self->state;
  constexpr uint32_t last_stage = 3;
  while (st.stage <= last_stage) {
    bool any = false;
    for (auto& c : st.children)
      if (c.stage == st.stage && c.running) {
        any = true;
        self->send_exit(c.handle, caf::exit_reason::user_shutdown);
      }
    if (any) {
      self->delayed_send(self, st.settings.shutdown_grace, atom::stage_v, st.stage);
      return;
    }
    ++st.stage;
  }
  spdlog::info("engine stopped");
  self->quit(st.exit_reason);
}

void on_child_down(self_pointer self, child& c, const caf::error& reason) {
  auto& st = self->state;
  c.running = false;
  c.handle = nullptr;
  c.last_exit = to_string(reason);
  if (st.stopping) {
    for (const auto& other : st.children)
      if (other.stage == st.stage && other.running) return;
    ++st.stage;
    run_stage(self);
    return;
  }
  // Back-off: doubled after each quick crash, back to the first after a stable run.
  auto ran = clock_type::now() - c.started;
  c.backoff = c.backoff.count() == 0 || ran >= st.settings.stable_after
                  ? st.settings.first_backoff
                  : std::min(c.backoff * 2, st.settings.max_backoff);
  spdlog::warn("{} went down ({}); restarting in {} ms", c.name, c.last_exit, c.backoff.count());
  publish(router_of(st), "system.restart",
          {{"actor", c.name},
           {"reason", c.last_exit},
           {"restarts", c.restarts},
           {"backoff_ms", c.backoff.count()}},
          source_name);
  self->delayed_send(self, c.backoff, atom::restart_v, c.name);
}

} // namespace

child* node_state::find(const std::string& name) {
  for (auto& c : children)
    if (c.name == name) return &c;
  return nullptr;
}

child* node_state::find(const caf::actor_addr& addr) {
  for (auto& c : children)
    if (c.handle && c.handle.address() == addr) return &c;
  return nullptr;
}

timeout_supervisor_actor node_state::supervisor() {
  auto* c = find(supervisor_name);
  return c && c->running ? caf::actor_cast<timeout_supervisor_actor>(c->handle)
                         : timeout_supervisor_actor{};
}

node_actor::behavior_type node(node_actor::stateful_pointer<node_state> self,
                               std::shared_ptr<engine_context> ctx, node_settings settings) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = settings;
  auto add_child = [&](std::string name, uint32_t stage, uint32_t slot = 0) {
    child c;
    c.name = std::move(name);
    c.stage = stage;
    c.slot = slot;
    st.children.push_back(std::move(c));
  };
  add_child(router_name, 3);
  for (unsigned i = 0; i < std::max(1u, settings.workers); ++i)
    add_child(worker_prefix + std::to_string(i), 2, i);
  add_child(loader_name, 1);
  add_child(store_name, 1);
  add_child(supervisor_name, 0);
  add_child(budget_name, 0);
  for (auto& c : st.children)
    spawn_child(self, c);
  if (settings.log_events) {
    // Subscribed before anything is published, so the log starts with `system.startup`;
    // linked, so it goes when the node goes.
    auto logger = self->spawn<caf::linked>(event_logger);
    caf::anon_send(router_of(st), atom::subscribe_v, subscription{"*", 1000, 1000},
                   caf::actor_cast<caf::actor>(logger));
  }
  auto kb = st.ctx->snapshot.load();
  spdlog::debug("engine started: {} workers, knowledge base {} generation {}", settings.workers,
                kb->root.string(), kb->stamp.generation);
  publish(router_of(st), "system.startup",
          {{"workers", settings.workers},
           {"kb_path", kb->root.string()},
           {"generation", kb->stamp.generation}},
          source_name);

  self->set_down_handler([self](const caf::down_msg& dm) {
    if (auto* c = self->state.find(dm.source)) on_child_down(self, *c, dm.reason);
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& st = self->state;
    if (st.stopping) return;
    st.stopping = true;
    st.exit_reason = msg.reason;
    spdlog::info("engine stopping ({})", to_string(msg.reason));
    publish(router_of(st), "system.shutdown", {{"reason", to_string(msg.reason)}}, source_name);
    run_stage(self);
  });
  auto unavailable = [] {
    return caf::make_error(ec::timed_out, "the engine is restarting its timeout supervisor",
                           "retry in a moment");
  };
  return {
      [=](atom::get, get_request& r) -> caf::result<core::load_result> {
        if (auto s = self->state.supervisor()) return self->delegate(s, atom::get_v, std::move(r));
        return unavailable();
      },
      [=](atom::context, context_request& r) -> caf::result<core::load_result> {
        if (auto s = self->state.supervisor())
          return self->delegate(s, atom::context_v, std::move(r));
        return unavailable();
      },
      [=](atom::named, named_request& r) -> caf::result<core::load_result> {
        if (auto s = self->state.supervisor())
          return self->delegate(s, atom::named_v, std::move(r));
        return unavailable();
      },
      [=](atom::search, core::search_params& p) -> caf::result<core::search_answer> {
        if (auto s = self->state.supervisor())
          return self->delegate(s, atom::search_v, std::move(p));
        return unavailable();
      },
      [=](atom::layers) -> caf::result<core::layers_answer> {
        if (auto s = self->state.supervisor()) return self->delegate(s, atom::layers_v);
        return unavailable();
      },
      [=](atom::info) -> caf::result<core::kb_info> {
        if (auto s = self->state.supervisor()) return self->delegate(s, atom::info_v);
        return unavailable();
      },
      [=](atom::documents, std::string& layer) -> caf::result<core::document_listing> {
        if (auto s = self->state.supervisor())
          return self->delegate(s, atom::documents_v, std::move(layer));
        return unavailable();
      },
      [=](atom::children) {
        std::vector<child_status> out;
        for (const auto& c : self->state.children)
          out.push_back({c.name, c.running, c.restarts, c.last_exit});
        return out;
      },
      [=](atom::worker, const std::string& name) {
        auto* c = self->state.find(name);
        return c && c->running ? c->handle : caf::actor{};
      },
      [=](atom::restart, const std::string& name) {
        auto& st = self->state;
        auto* c = st.find(name);
        if (st.stopping || !c || c->running) return;
        ++c->restarts;
        spawn_child(self, *c);
        spdlog::info("{} restarted (restart {})", c->name, c->restarts);
      },
      [=](atom::stage, uint32_t stage) {
        auto& st = self->state;
        if (!st.stopping || stage != st.stage) return;
        for (auto& c : st.children)
          if (c.stage == stage && c.running) {
            spdlog::warn("{} did not stop within {} ms; stopping it hard", c.name,
                         st.settings.shutdown_grace.count());
            self->send_exit(c.handle, caf::exit_reason::kill);
          }
      },
  };
}

} // namespace sage::actors
