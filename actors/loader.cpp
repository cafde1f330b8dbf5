// The loader.
// SPDX-License-Identifier: MIT
#include "actors/loader.hpp"

#include "actors/error.hpp"
#include "actors/event_publisher.hpp"
#include "actors/timeouts.hpp"

#include "core/kb_diff.hpp"
#include "core/kb_loader.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace sage::actors {
namespace {

constexpr const char* source_name = "loader";

nlohmann::json report_json(const rebuild_report& r) {
  return {{"generation", r.generation},
          {"built_at", r.built_at},
          {"documents", r.documents},
          {"build_ms", r.build_ms},
          {"swapped", r.swapped},
          {"added", r.added},
          {"changed", r.changed},
          {"removed", r.removed},
          {"uris",
           {{"added", r.added_uris}, {"changed", r.changed_uris}, {"removed", r.removed_uris}}}};
}

/// Starts (or restarts) the watcher on the root of the snapshot in use. The watcher thread
/// holds only a weak reference, so it never keeps the loader alive.
void start_watching(loader_actor::stateful_pointer<loader_state> self) {
  auto& st = self->state;
  st.watcher.reset();
  caf::weak_actor_ptr weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  auto watcher = kb_watcher::start(st.ctx->snapshot.load()->root, [weak](const std::string& p) {
    if (auto strong = caf::actor_cast<caf::actor>(weak.lock()))
      caf::anon_send(strong, atom::changed_v, p);
  });
  if (watcher) {
    st.watcher = std::move(*watcher);
  } else if (watcher.err().message != st.last_error) {
    st.last_error = watcher.err().message;
    spdlog::warn("not watching the knowledge base for changes: {} ({})", watcher.err().message,
                 watcher.err().hint);
  }
}

} // namespace

query_worker_actor loader_state::pick() {
  for (size_t tried = 0; tried < workers.size(); ++tried) {
    auto& w = workers[next_worker++ % workers.size()];
    if (w) return w;
  }
  return {};
}

rebuild_report rebuild_snapshot(engine_context& ctx,
                                const std::shared_ptr<const core::knowledge_base>& previous,
                                unsigned threads) {
  rebuild_report out;
  core::kb_load_options opts;
  opts.root = previous->root;
  if (ctx.cfg.cache_enabled) opts.cache_dir = ctx.cfg.cache_dir;
  opts.generation = previous->stamp.generation + 1;
  opts.threads = threads;
  opts.previous = previous;
  auto next = core::load_knowledge_base(ctx.cfg, opts);
  if (!next) {
    out.error = next.err().message;
    out.generation = previous->stamp.generation;
    return out;
  }
  ctx.metrics->snapshot_built((*next)->stats.files_from_cache, (*next)->stats.files_parsed);
  auto changes = core::diff_snapshots(*previous, **next);
  out.build_ms = (*next)->stats.build_ms;
  if (changes.empty()) { // a touch, or an edit undone: keep the snapshot and its generation
    out.generation = previous->stamp.generation;
    out.built_at = previous->stamp.built_at;
    out.documents = previous->documents.size();
    return out;
  }
  out.swapped = true;
  out.generation = (*next)->stamp.generation;
  out.built_at = (*next)->stamp.built_at;
  out.documents = (*next)->documents.size();
  out.added = std::move(changes.added);
  out.changed = std::move(changes.changed);
  out.removed = std::move(changes.removed);
  out.added_uris = std::move(changes.added_uris);
  out.changed_uris = std::move(changes.changed_uris);
  out.removed_uris = std::move(changes.removed_uris);
  ctx.snapshot.store(std::move(*next));
  return out;
}

loader_actor::behavior_type loader(loader_actor::stateful_pointer<loader_state> self,
                                   std::shared_ptr<engine_context> ctx, loader_settings settings) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = settings;
  if (settings.watch) start_watching(self);
  // The watcher stops with the state, which CAF destroys when the actor exits.
  self->set_down_handler([self](const caf::down_msg& dm) {
    for (auto& w : self->state.workers)
      if (w && w.address() == dm.source) w = nullptr;
  });
  auto start_rebuild = [self] {
    auto& st = self->state;
    st.building = true;
    st.dirty = false;
    auto previous = st.ctx->snapshot.load();
    publish(st.router, "loader.start", {{"generation", previous->stamp.generation + 1}},
            source_name);
    auto ctx = st.ctx;
    auto threads = st.settings.build_threads;
    caf::actor reply_to = caf::actor_cast<caf::actor>(self);
    // Detached: parsing takes a thread of its own instead of a scheduler thread that answers
    // queries.
    self->spawn<caf::detached>([ctx, previous, threads, reply_to](caf::event_based_actor* b) {
      rebuild_report report;
      try {
        report = rebuild_snapshot(*ctx, previous, threads);
      } catch (const std::exception& e) { // keep serving the old snapshot, say why
        report.error = std::string("rebuild failed: ") + e.what();
        report.generation = previous->stamp.generation;
      }
      b->send(reply_to, atom::rebuilt_v, std::move(report));
    });
  };
  // Delegation: the worker answers the caller directly, with no extra hop back through here.
  auto no_worker = [] { return caf::make_error(ec::internal, "no query worker is running"); };
  return {
      [=](atom::get, get_request& r, job& j) -> caf::result<core::load_result> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::get_v, std::move(r), j);
        return no_worker();
      },
      [=](atom::context, context_request& r, job& j) -> caf::result<core::load_result> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::context_v, std::move(r), j);
        return no_worker();
      },
      [=](atom::named, named_request& r, job& j) -> caf::result<core::load_result> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::named_v, std::move(r), j);
        return no_worker();
      },
      [=](atom::search, core::search_params& p, job& j) -> caf::result<core::search_answer> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::search_v, std::move(p), j);
        return no_worker();
      },
      [=](atom::layers, job& j) -> caf::result<core::layers_answer> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::layers_v, j);
        return no_worker();
      },
      [=](atom::info, job& j) -> caf::result<core::kb_info> {
        if (auto w = self->state.pick()) return self->delegate(w, atom::info_v, j);
        return no_worker();
      },
      [=](atom::documents, std::string& layer, job& j) -> caf::result<core::document_listing> {
        if (auto w = self->state.pick())
          return self->delegate(w, atom::documents_v, std::move(layer), j);
        return no_worker();
      },
      [=](atom::changed, const std::string&) {
        auto n = ++self->state.changes_seen;
        self->delayed_send(self, self->state.settings.debounce, atom::rebuild_v, n);
      },
      [=](atom::rebuild, uint64_t n) {
        auto& st = self->state;
        if (n != st.changes_seen) return; // more changes came in: wait for quiet
        if (st.building) {
          st.dirty = true;
          return;
        }
        start_rebuild();
      },
      [=](atom::rebuilt, const rebuild_report& report) {
        auto& st = self->state;
        st.building = false;
        if (!report.error.empty()) {
          // The root may be gone for a moment (a checkout, a restore): try again until it is
          // back, saying so once rather than every second.
          if (report.error != st.last_error) {
            st.last_error = report.error;
            spdlog::error("rebuilding the knowledge base failed: {}; still serving generation {}",
                          report.error, report.generation);
            publish(st.router, "loader.error",
                    {{"error", report.error}, {"generation", report.generation}}, source_name);
          }
          self->delayed_send(self, timeouts::rebuild_retry, atom::changed_v, std::string());
        } else {
          st.last_error.clear();
          publish(st.router, "loader.complete", report_json(report), source_name);
          if (report.swapped) {
            spdlog::info(
                "knowledge base generation {}: {} added, {} changed, {} removed ({:.1f} ms)",
                report.generation, report.added.size(), report.changed.size(),
                report.removed.size(), report.build_ms);
            publish(st.router, "loader.changed", report_json(report), source_name);
          }
          // A watcher whose root went away watches nothing; the root is back, so watch anew.
          if (st.settings.watch && (!st.watcher || st.watcher->watched_folders() == 0))
            start_watching(self);
        }
        if (st.dirty) start_rebuild();
      },
      [=](atom::wire, const std::string& role, uint32_t slot, const caf::actor& handle) {
        auto& st = self->state;
        if (role == "event_router") {
          st.router = caf::actor_cast<event_router_actor>(handle);
        } else if (role == "worker") {
          if (st.workers.size() <= slot) st.workers.resize(slot + 1);
          st.workers[slot] = caf::actor_cast<query_worker_actor>(handle);
          self->monitor(st.workers[slot]);
        }
      },
      [=](atom::stats) { return self->state.ctx->snapshot.load()->stamp.generation; },
  };
}

} // namespace sage::actors
