// The memory store.
// SPDX-License-Identifier: MIT
#include "actors/memory_store.hpp"

#include "actors/error.hpp"
#include "actors/event_publisher.hpp"
#include "actors/timeouts.hpp"

#include "core/budget_actions.hpp"
#include "core/handoff.hpp"
#include "core/reservation_store.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include <set>
#include <sstream>

namespace sage::actors {
namespace {

using self_pointer = memory_store_actor::stateful_pointer<memory_store_state>;

/// A core result as a handler result: the value, or the error as a CAF error.
template <class T> caf::result<T> answer(core::result<T> r) {
  if (!r) return to_caf_error(r.err());
  return std::move(*r);
}

caf::error failure(const core::error& e) {
  return to_caf_error(e);
}

/// Answers `value` once the budget of each of `sessions` has been dealt with (no session, or
/// no controller: at once). The store holds the connection, so it reads the budgets itself and
/// asks the controller one request for the whole write: the controller keeps the policy and
/// the levels, and sends nothing back to the store on this path. What the answer asks for
/// (pruning, a summary) is done here before the write is answered. The write has happened
/// either way, so a controller that fails or is slow is logged and the value still goes out.
template <class T>
caf::result<T> after_budget(self_pointer self, core::memory_db& db,
                            const std::vector<std::string>& sessions, T value) {
  auto& st = self->state;
  if (!st.budget) return value;
  std::vector<budget_observation> seen;
  for (const auto& session : sessions) {
    if (session.empty()) continue;
    auto o = st.observe_budget(db, session);
    if (!o) {
      spdlog::warn("failed to read the budget of session {}: {}", session, o.err().message);
      continue;
    }
    seen.push_back(std::move(*o));
  }
  if (seen.empty()) return value;
  auto rp = self->make_response_promise<T>();
  self->request(st.budget, timeouts::budget_observe, atom::observe_v, seen)
      .then(
          [self, rp, value, seen](const std::vector<budget_plan>& plans) mutable {
            auto opened = self->state.open();
            for (size_t i = 0; opened && i < plans.size() && i < seen.size(); ++i)
              if (plans[i].step != budget_step::none && plans[i].session_id == seen[i].session_id)
                self->state.carry_out(**opened, plans[i], seen[i]);
            rp.deliver(std::move(value));
          },
          [rp, value](const caf::error& err) mutable {
            spdlog::warn("budget check after a write failed: {}", to_string(err));
            rp.deliver(std::move(value));
          });
  return rp;
}

template <class T>
caf::result<T> after_budget(self_pointer self, core::memory_db& db, const std::string& session,
                            T value) {
  return after_budget(self, db, std::vector<std::string>{session}, std::move(value));
}

nlohmann::json entry_event(const core::memory_entry& e) {
  return {{"id", e.id},
          {"type", core::to_string(e.type)},
          {"priority", e.priority},
          {"tokens", e.tokens},
          {"session_id", e.session_id}};
}

checkpoint_summary summary_of(const core::checkpoint& cp) {
  return {cp.id, cp.session_id, cp.label, cp.entries.size(), cp.tokens, cp.created_at};
}

/// The live (not summarised) entries of a session, oldest first.
core::result<std::vector<core::memory_entry>> live_entries(core::memory_db& db,
                                                           const std::string& session) {
  core::memory_query q;
  q.session_id = session;
  q.is_summarized = false;
  q.descending = false;
  q.limit = 0;
  auto page = db.query(q);
  if (!page) return page.err();
  return std::move(page->entries);
}

core::result<std::optional<core::session_status>> parse_status_filter(const std::string& text) {
  if (text.empty()) return std::optional<core::session_status>{};
  if (text == "active") return std::optional(core::session_status::active);
  if (text == "ended") return std::optional(core::session_status::ended);
  return core::make_error(core::error_code::invalid_argument,
                          "unknown session status '" + text + "'", "use active or ended");
}

} // namespace

std::filesystem::path memory_db_path(const core::config& cfg) {
  return std::filesystem::path(cfg.data_dir) / "memory.db";
}

core::result<core::memory_db*> memory_store_state::open() {
  if (db) return &*db;
  core::memory_db_options options;
  options.max_content_bytes = static_cast<size_t>(ctx->cfg.memory_max_content_bytes);
  auto opened = core::memory_db::open(memory_db_path(ctx->cfg), ctx->tokens, options);
  if (!opened) return opened.err();
  db.emplace(std::move(*opened));
  return &*db;
}

core::result<std::vector<std::string>> memory_store_state::retain(core::memory_db& store) {
  const auto& rules = ctx->cfg.memory_retention;
  bool any = false;
  for (const auto* rule : {&rules.conversation, &rules.decision, &rules.context, &rules.summary,
                           &rules.checkpoint, &rules.artifact})
    any = any || rule->limits();
  if (!any) return std::vector<std::string>{};
  auto removed = store.apply_retention(rules, std::chrono::system_clock::now());
  if (removed && !removed->empty())
    publish("memory.pruned",
            {{"ids", *removed}, {"count", removed->size()}, {"reason", "retention"}});
  return removed;
}

void memory_store_state::retain_after_write(core::memory_db& store) {
  // The write itself succeeded; the rules are applied again after the next one.
  if (auto removed = retain(store); !removed)
    spdlog::warn("failed to apply memory retention: {}", removed.err().message);
}

void memory_store_state::publish(std::string type, const nlohmann::json& payload) {
  actors::publish(router, std::move(type), payload, name);
}

core::result<budget_observation> memory_store_state::observe_budget(core::memory_db& store,
                                                                    const std::string& session) {
  const auto now = std::chrono::system_clock::now();
  auto status = core::session_budget(store, ctx->cfg.budget, session, now);
  if (!status) return status.err();
  // Recorded here, by the process that made the write, so that the record and the write see
  // the same database; the controller learns from `changed` whether to publish the change.
  auto change = core::record_level(store, session, status->level, now);
  if (!change) return change.err();
  return budget_observation{session, std::move(*status), change->previous, change->changed};
}

void memory_store_state::carry_out(core::memory_db& store, const budget_plan& plan,
                                   const budget_observation& seen) {
  const auto& session = plan.session_id;
  const auto& cfg = ctx->cfg.budget;
  // Both functions check the level again inside their own transaction, so a plan that another
  // write (or process) has made moot does nothing.
  bool summarise = plan.step == budget_step::summarise;
  if (plan.step == budget_step::prune) {
    auto done = core::prune_for_budget(store, cfg, session, std::chrono::system_clock::now());
    if (!done) {
      spdlog::warn("failed to prune session {}: {}", session, done.err().message);
      summarise = true;
    } else {
      if (!done->deleted_ids.empty())
        publish("memory.pruned", {{"session_id", session},
                                  {"ids", done->deleted_ids},
                                  {"count", done->deleted_ids.size()},
                                  {"reason", "budget overflow"},
                                  {"tokens_before", done->tokens_before},
                                  {"tokens_after", done->tokens_after}});
      summarise = done->level_after >= core::budget_level::critical;
    }
  }
  if (summarise) {
    auto done =
        core::summarise_session(store, cfg, ctx->tokens, session, std::chrono::system_clock::now());
    if (!done)
      spdlog::warn("failed to summarise session {}: {}", session, done.err().message);
    else if (done->summary)
      publish("memory.summarized", {{"session_id", session},
                                    {"summary_id", done->summary->id},
                                    {"replaced", done->replaced_ids},
                                    {"tokens_before", done->tokens_before},
                                    {"tokens_after", done->tokens_after}});
  }
  auto after = observe_budget(store, session);
  if (!after) {
    spdlog::warn("failed to record the budget level of session {}: {}", session,
                 after.err().message);
    return;
  }
  // One-way: the controller answers nothing, and the write waits for nothing more.
  if ((after->changed || after->status.level != seen.status.level) && budget)
    caf::anon_send(budget, atom::level_v, std::move(*after));
}

memory_store_actor::behavior_type
memory_store(memory_store_actor::stateful_pointer<memory_store_state> self,
             std::shared_ptr<engine_context> ctx) {
  self->state.ctx = std::move(ctx);
  // Every handler starts by opening the database; a failure is the answer.
#define SAGE_OPEN_DB(var)                                                                          \
  auto opened_ = self->state.open();                                                               \
  if (!opened_) return failure(opened_.err());                                                     \
  core::memory_db& var = **opened_
  return {
      // -- entries --
      [=](atom::add, core::memory_entry& e) -> caf::result<core::memory_entry> {
        SAGE_OPEN_DB(db);
        auto added = db.add(std::move(e));
        if (!added) return failure(added.err());
        self->state.publish("memory.added", entry_event(*added));
        self->state.retain_after_write(db);
        auto session = added->session_id;
        return after_budget(self, db, session, std::move(*added));
      },
      [=](atom::add,
          std::vector<core::memory_entry>& batch) -> caf::result<std::vector<core::memory_entry>> {
        SAGE_OPEN_DB(db);
        auto added = db.add_batch(std::move(batch));
        if (!added) return failure(added.err());
        std::set<std::string> sessions;
        for (const auto& e : *added) {
          self->state.publish("memory.added", entry_event(e));
          if (!e.session_id.empty()) sessions.insert(e.session_id);
        }
        self->state.retain_after_write(db);
        // Every session the batch touched, in one request, dealt with before the answer.
        return after_budget(self, db, std::vector<std::string>(sessions.begin(), sessions.end()),
                            std::move(*added));
      },
      [=](atom::get, const std::string& id) -> caf::result<core::memory_entry> {
        SAGE_OPEN_DB(db);
        return answer(db.get(id));
      },
      [=](atom::update, const std::string& id,
          const core::memory_update& change) -> caf::result<core::memory_entry> {
        SAGE_OPEN_DB(db);
        auto updated = db.update(id, change);
        if (!updated) return failure(updated.err());
        self->state.publish("memory.updated", entry_event(*updated));
        auto session = updated->session_id;
        return after_budget(self, db, session, std::move(*updated));
      },
      [=](atom::remove, const std::string& id) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        auto entry = db.get(id);
        if (!entry) return failure(entry.err());
        if (auto err = db.remove(id)) return failure(*err);
        self->state.publish("memory.deleted", entry_event(*entry));
        return after_budget(self, db, entry->session_id, id);
      },
      [=](atom::query, const core::memory_query& q) -> caf::result<core::memory_page> {
        SAGE_OPEN_DB(db);
        return answer(db.query(q));
      },
      [=](atom::prune, const core::prune_filter& filter) -> caf::result<std::vector<std::string>> {
        SAGE_OPEN_DB(db);
        auto removed = db.prune(filter);
        if (!removed) return failure(removed.err());
        if (!removed->empty())
          self->state.publish(
              "memory.pruned",
              {{"ids", *removed}, {"count", removed->size()}, {"reason", "requested"}});
        return std::move(*removed);
      },
      [=](atom::retain) -> caf::result<std::vector<std::string>> {
        SAGE_OPEN_DB(db);
        return answer(self->state.retain(db));
      },
      [=](atom::export_, const std::string& session) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        std::ostringstream out;
        auto written = db.export_jsonl(out, session.empty() ? std::nullopt
                                                            : std::optional<std::string>(session));
        if (!written) return failure(written.err());
        return out.str();
      },
      [=](atom::import_, const std::string& lines) -> caf::result<core::import_report> {
        SAGE_OPEN_DB(db);
        std::istringstream in(lines);
        auto report = db.import_jsonl(in);
        if (!report) return failure(report.err());
        if (report->imported > 0) {
          self->state.publish("memory.added",
                              {{"imported", report->imported}, {"skipped", report->skipped}});
          self->state.retain_after_write(db);
        }
        return *report;
      },
      // -- sessions --
      [=](atom::start, const session_start& r) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        core::session_store sessions(db);
        if (!r.checkpoint_id.empty()) {
          auto restored = sessions.restore(r.checkpoint_id);
          if (!restored) return failure(restored.err());
          self->state.publish("session.started", {{"session_id", restored->id},
                                                  {"objective", restored->objective},
                                                  {"resumed_from", r.checkpoint_id}});
          auto id = restored->id;
          return after_budget(self, db, id, std::move(*restored));
        }
        auto started = sessions.start(r.objective, r.steps, r.task_id);
        if (!started) return failure(started.err());
        self->state.publish("session.started", {{"session_id", started->id},
                                                {"objective", started->objective},
                                                {"task_id", started->task_id}});
        return std::move(*started);
      },
      [=](atom::update, const std::string& id,
          const core::session_change& change) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        auto updated = core::session_store(db).update(id, change);
        if (!updated) return failure(updated.err());
        if (!change.decision && !change.context) return std::move(*updated);
        return after_budget(self, db, id, std::move(*updated));
      },
      [=](atom::step, const std::string& id,
          const std::string& text) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        return answer(core::session_store(db).add_step(id, text));
      },
      [=](atom::end, const std::string& id) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        auto ended = core::session_store(db).end(id);
        if (!ended) return failure(ended.err());
        self->state.publish("session.ended", {{"session_id", id}});
        return std::move(*ended);
      },
      [=](atom::status, const std::string& id) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        return answer(core::session_store(db).get(id));
      },
      [=](atom::sessions, const std::string& filter, const std::string& cursor,
          uint64_t limit) -> caf::result<core::session_page> {
        auto status = parse_status_filter(filter);
        if (!status) return failure(status.err());
        SAGE_OPEN_DB(db);
        return answer(core::session_store(db).list_page(*status, cursor, limit));
      },
      // -- checkpoints and handoff --
      [=](atom::checkpoint, const std::string& session,
          const std::string& label) -> caf::result<checkpoint_summary> {
        SAGE_OPEN_DB(db);
        auto cp = core::session_store(db).create_checkpoint(session, label);
        if (!cp) return failure(cp.err());
        auto out = summary_of(*cp);
        self->state.publish("session.checkpoint", {{"session_id", session},
                                                   {"checkpoint_id", out.id},
                                                   {"entries", out.entries},
                                                   {"tokens", out.tokens}});
        return out;
      },
      [=](atom::checkpoints,
          const std::string& session) -> caf::result<std::vector<checkpoint_summary>> {
        SAGE_OPEN_DB(db);
        auto list = core::session_store(db).list_checkpoints(session);
        if (!list) return failure(list.err());
        std::vector<checkpoint_summary> out;
        for (const auto& cp : *list)
          out.push_back(summary_of(cp));
        return out;
      },
      [=](atom::restore, const std::string& checkpoint_id) -> caf::result<core::session> {
        SAGE_OPEN_DB(db);
        auto restored = core::session_store(db).restore(checkpoint_id);
        if (!restored) return failure(restored.err());
        auto id = restored->id;
        return after_budget(self, db, id, std::move(*restored));
      },
      [=](atom::handoff, const std::string& id,
          uint64_t max_tokens) -> caf::result<handoff_answer> {
        SAGE_OPEN_DB(db);
        auto s = core::session_store(db).get(id);
        if (!s) return failure(s.err());
        auto entries = live_entries(db, id);
        if (!entries) return failure(entries.err());
        auto used = db.usage(id);
        if (!used) return failure(used.err());
        const auto& tokens = self->state.ctx->tokens;
        auto package = core::make_handoff(*s, *entries, *used, tokens);
        auto markdown = core::render_handoff_markdown(package, max_tokens, tokens);
        if (!markdown) return failure(markdown.err());
        handoff_answer out{id, std::move(*markdown), 0, core::to_json(package).dump()};
        out.tokens = static_cast<int64_t>(tokens.count(out.markdown));
        self->state.publish(
            "session.handoff",
            {{"session_id", id}, {"tokens", out.tokens}, {"max_tokens", max_tokens}});
        return out;
      },
      // -- for the budget controller's status and check --
      [=](atom::budget, const std::string& session) -> caf::result<core::budget_status> {
        SAGE_OPEN_DB(db);
        return answer(core::session_budget(db, self->state.ctx->cfg.budget, session,
                                           std::chrono::system_clock::now()));
      },
      // -- reservations --
      [=](atom::reserve, const std::string& session, uint64_t tokens,
          uint64_t ttl_ms) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        if (auto s = core::session_store(db).get(session); !s) return failure(s.err());
        auto ttl = ttl_ms > 0 ? std::chrono::milliseconds(ttl_ms)
                              : self->state.ctx->cfg.budget.reservation_ttl;
        return answer(
            core::reservation_store(db).reserve(session, static_cast<int64_t>(tokens), ttl));
      },
      [=](atom::commit, const std::string& id) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        core::reservation_store reservations(db);
        auto held = reservations.get_reservation(id);
        if (!held) return failure(held.err());
        if (auto err = reservations.commit(id)) return failure(*err);
        return after_budget(self, db, held->session_id, id);
      },
      [=](atom::release, const std::string& id) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        if (auto err = core::reservation_store(db).release(id)) return failure(*err);
        return id;
      },
      [=](atom::wire, const std::string& role, uint32_t, const caf::actor& handle) {
        if (role == "event_router")
          self->state.router = caf::actor_cast<event_router_actor>(handle);
        else if (role == "token_budget")
          self->state.budget = caf::actor_cast<token_budget_actor>(handle);
      },
  };
#undef SAGE_OPEN_DB
}

} // namespace sage::actors
