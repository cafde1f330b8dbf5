// The engine.
// SPDX-License-Identifier: MIT
#include "actors/engine.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

namespace sage::actors {
namespace {

unsigned worker_count(const core::config& cfg, const engine_options& opts) {
  return opts.workers > 0 ? opts.workers : static_cast<unsigned>(std::max(1, cfg.engine.workers));
}

} // namespace

engine::engine(std::shared_ptr<engine_context> ctx, engine_options opts)
    : ctx_(std::move(ctx)), caf_cfg_(opts.network, worker_count(ctx_->cfg, opts) + 1),
      sys_(caf_cfg_) {
  node_settings settings;
  settings.workers = worker_count(ctx_->cfg, opts);
  settings.loader.watch = opts.watch && ctx_->cfg.kb_watch;
  settings.loader.debounce = ctx_->cfg.kb_watch_debounce;
  settings.shutdown_grace = ctx_->cfg.engine.shutdown_grace;
  settings.log_events = opts.log_events;
  node_ = sys_.spawn(actors::node, ctx_, settings);
  bridge_ = std::make_unique<bridge>(sys_, caf::actor_cast<engine_actor>(node_), ctx_->cfg.timeout,
                                     ctx_->metrics);
}

std::unique_ptr<engine> engine::start(core::config cfg, core::token_counter tokens,
                                      std::shared_ptr<const core::knowledge_base> kb,
                                      engine_options opts) {
  auto ctx = std::make_shared<engine_context>(std::move(cfg), std::move(tokens), std::move(kb));
  // The first snapshot was built before the engine: count its use of the index cache here.
  if (auto first = ctx->snapshot.load())
    ctx->metrics->snapshot_built(first->stats.files_from_cache, first->stats.files_parsed);
  return std::unique_ptr<engine>(new engine(std::move(ctx), opts));
}

bool engine::await_ready(std::chrono::milliseconds wait) {
  // Actors finish starting before they handle their first message: one round trip to the
  // loader (spawned after the router and the workers) and one to the supervisor (spawned last).
  caf::scoped_actor self{sys_};
  caf::actor loader;
  bool ok = false;
  self->request(node_, wait, atom::worker_v, std::string("loader"))
      .receive([&](caf::actor& a) { loader = std::move(a); }, [](caf::error&) {});
  if (!loader) return false;
  self->request(caf::actor_cast<loader_actor>(loader), wait, atom::stats_v)
      .receive([&](uint64_t) { ok = true; }, [](caf::error&) {});
  if (!ok) return false;
  ok = false;
  self->request(node_, wait, atom::info_v)
      .receive([&](core::kb_info&) { ok = true; }, [](caf::error&) {});
  return ok;
}

void engine::stop() {
  if (stopped_) return;
  stopped_ = true;
  caf::scoped_actor self{sys_};
  self->send_exit(node_, caf::exit_reason::user_shutdown);
  self->wait_for(node_);
}

engine::~engine() {
  stop();
}

} // namespace sage::actors
