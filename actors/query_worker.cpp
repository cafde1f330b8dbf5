// The query worker.
// SPDX-License-Identifier: MIT
#include "actors/query_worker.hpp"

#include "actors/error.hpp"

#include "core/kb_summary.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <chrono>

namespace sage::actors {
namespace {

using clock_type = std::chrono::steady_clock;

/// Progress of one job: partial answers go to whoever asked, first at half of the deadline,
/// then every tenth of it; past the deadline the operation is cancelled.
class job_progress final : public core::progress_sink {
public:
  job_progress(caf::actor requester, const job& j)
      : requester_(std::move(requester)), id_(j.id), start_(clock_type::now()),
        deadline_(start_ + std::chrono::milliseconds(j.timeout_ms)),
        step_(std::chrono::milliseconds(j.timeout_ms) / 10),
        next_partial_(start_ + std::chrono::milliseconds(j.timeout_ms) / 2) {}

  bool wants_partial() const override {
    if (!requester_ || id_ == 0) return false;
    auto now = clock_type::now();
    if (now < next_partial_) return false;
    next_partial_ = now + step_;
    return true;
  }

  void partial(const core::load_result& ready) const override {
    caf::anon_send(requester_, atom::partial_v, id_, ready);
  }

  bool cancelled() const override { return id_ != 0 && clock_type::now() > deadline_; }

private:
  caf::actor requester_;
  uint64_t id_;
  clock_type::time_point start_, deadline_;
  clock_type::duration step_;
  mutable clock_type::time_point next_partial_;
};

template <class T> caf::result<T> reply(core::result<T>&& r) {
  if (!r) return to_caf_error(r.err());
  return std::move(*r);
}

} // namespace

query_worker_actor::behavior_type
query_worker(query_worker_actor::stateful_pointer<query_worker_state> self,
             std::shared_ptr<engine_context> ctx) {
  self->state.ctx = std::move(ctx);
  // Runs `op` over the snapshot of this moment, which stays alive until `op` returns.
  auto with_snapshot = [self](const job& j, auto op) {
    auto kb = self->state.ctx->snapshot.load();
    job_progress progress{caf::actor_cast<caf::actor>(self->current_sender()), j};
    core::op_context ops{*kb, self->state.ctx->cfg, self->state.ctx->tokens, self->state.an,
                         &progress};
    return op(ops);
  };
  return {
      [=](atom::get, const get_request& r, const job& j) -> caf::result<core::load_result> {
        return with_snapshot(j, [&](const core::op_context& ops) {
          return reply(core::get_knowledge(ops, r.target, r.budget, r.include_retired));
        });
      },
      [=](atom::context, const context_request& r, const job& j) -> caf::result<core::load_result> {
        return with_snapshot(j, [&](const core::op_context& ops) {
          auto budget = r.budget ? r.budget : static_cast<uint64_t>(ops.cfg.loading.default_budget);
          return reply(core::build_context(ops, r.task, budget, r.layers));
        });
      },
      [=](atom::named, const named_request& r, const job& j) -> caf::result<core::load_result> {
        // The kind travels as a number; a peer may send any value.
        if (r.kind > static_cast<uint8_t>(core::named_kind::template_))
          return caf::make_error(ec::invalid_argument,
                                 "unknown kind of named document: " + std::to_string(r.kind),
                                 "use 0 (guideline), 1 (framework) or 2 (template)");
        return with_snapshot(j, [&](const core::op_context& ops) {
          return reply(
              core::get_named(ops, static_cast<core::named_kind>(r.kind), r.name, r.budget));
        });
      },
      [=](atom::search, const core::search_params& p,
          const job& j) -> caf::result<core::search_answer> {
        return with_snapshot(
            j, [&](const core::op_context& ops) { return reply(core::run_search(ops, p)); });
      },
      [=](atom::layers, const job& j) -> caf::result<core::layers_answer> {
        return with_snapshot(j,
                             [&](const core::op_context& ops) -> caf::result<core::layers_answer> {
                               return core::summarize_layers(ops);
                             });
      },
      [=](atom::info, const job& j) -> caf::result<core::kb_info> {
        return with_snapshot(j, [&](const core::op_context& ops) -> caf::result<core::kb_info> {
          return core::describe_kb(ops);
        });
      },
      [=](atom::documents, const std::string& layer,
          const job& j) -> caf::result<core::document_listing> {
        return with_snapshot(j, [&](const core::op_context& ops) {
          return reply(core::list_documents(ops, layer));
        });
      },
  };
}

} // namespace sage::actors
