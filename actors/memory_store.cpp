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

/// Answers `value` once the budget controller has looked at `session` (no session, or no
/// controller: at once). The write has happened either way, so a controller that fails or is
/// slow is logged and the value still goes out.
template <class T>
caf::result<T> after_budget(self_pointer self, const std::string& session, T value) {
  auto& st = self->state;
  if (session.empty() || !st.budget) return value;
  auto rp = self->make_response_promise<T>();
  self->request(st.budget, timeouts::budget_observe, atom::observe_v, session)
      .then([rp, value](const budget_action&) mutable { rp.deliver(std::move(value)); },
            [rp, value, session](const caf::error& err) mutable {
              spdlog::warn("budget check of session {} failed: {}", session, to_string(err));
              rp.deliver(std::move(value));
            });
  return rp;
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

/// The controller's view of a summary or a pruning.
template <class Outcome> budget_action to_action(const std::string& session, const Outcome& o) {
  budget_action a;
  a.session_id = session;
  a.level_before = o.level_before;
  a.level_after = o.level_after;
  a.used_before = o.tokens_before;
  a.used_after = o.tokens_after;
  a.enough = o.enough;
  return a;
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
        return after_budget(self, session, std::move(*added));
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
        // The controller looks at each session the batch touched; the first one is awaited.
        std::string first = sessions.empty() ? std::string() : *sessions.begin();
        for (const auto& other : sessions)
          if (other != first && self->state.budget)
            caf::anon_send(self->state.budget, atom::observe_v, other);
        return after_budget(self, first, std::move(*added));
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
        return after_budget(self, session, std::move(*updated));
      },
      [=](atom::remove, const std::string& id) -> caf::result<std::string> {
        SAGE_OPEN_DB(db);
        auto entry = db.get(id);
        if (!entry) return failure(entry.err());
        if (auto err = db.remove(id)) return failure(*err);
        self->state.publish("memory.deleted", entry_event(*entry));
        return after_budget(self, entry->session_id, id);
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
          return after_budget(self, id, std::move(*restored));
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
        return after_budget(self, id, std::move(*updated));
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
        return after_budget(self, id, std::move(*restored));
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
      // -- for the budget controller --
      [=](atom::budget, const std::string& session) -> caf::result<core::budget_status> {
        SAGE_OPEN_DB(db);
        return answer(core::session_budget(db, self->state.ctx->cfg.budget, session,
                                           std::chrono::system_clock::now()));
      },
      [=](atom::level, const std::string& session,
          core::budget_level level) -> caf::result<core::budget_level> {
        SAGE_OPEN_DB(db);
        auto change = core::record_level(db, session, level);
        if (!change) return failure(change.err());
        return change->previous;
      },
      [=](atom::summarize, const std::string& session) -> caf::result<budget_action> {
        SAGE_OPEN_DB(db);
        auto& st = self->state;
        auto done = core::summarise_session(db, st.ctx->cfg.budget, st.ctx->tokens, session,
                                            std::chrono::system_clock::now());
        if (!done) return failure(done.err());
        auto out = to_action(session, *done);
        if (done->summary) {
          out.summary_id = done->summary->id;
          out.summarised = done->replaced_ids;
          st.publish("memory.summarized", {{"session_id", session},
                                           {"summary_id", out.summary_id},
                                           {"replaced", out.summarised},
                                           {"tokens_before", out.used_before},
                                           {"tokens_after", out.used_after}});
        }
        return out;
      },
      [=](atom::shrink, const std::string& session) -> caf::result<budget_action> {
        SAGE_OPEN_DB(db);
        auto& st = self->state;
        auto done = core::prune_for_budget(db, st.ctx->cfg.budget, session,
                                           std::chrono::system_clock::now());
        if (!done) return failure(done.err());
        auto out = to_action(session, *done);
        out.pruned = done->deleted_ids;
        if (!out.pruned.empty())
          st.publish("memory.pruned", {{"session_id", session},
                                       {"ids", out.pruned},
                                       {"count", out.pruned.size()},
                                       {"reason", "budget overflow"},
                                       {"tokens_before", out.used_before},
                                       {"tokens_after", out.used_after}});
        return out;
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
        return after_budget(self, held->session_id, id);
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
