// The memory benchmark's engine part: inserts through the engine's memory store actor (the
// product path) beside the same inserts straight into memory_db, on the same database file.
// SPDX-License-Identifier: MIT
#include "memory_bench_common.hpp"

#include "actors/engine.hpp"

#include "core/budget_actions.hpp"
#include "core/knowledge_base.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace sage::bench {
namespace {

/// Entries per call of the batch kinds, and per kind in each round.
constexpr size_t batch_size = 100;
constexpr size_t kinds = 5;

/// Times of one kind of insert: the whole, and per call.
struct kind_timing {
  size_t entries = 0;
  double total_us = 0;
  std::vector<double> call_us;

  void add(double us, size_t n) {
    total_us += us;
    call_us.push_back(us);
    entries += n;
  }
  std::string rate() const {
    return per_second(entries, total_us) + ", call p50 " + fmt("%.0f us", percentile(call_us, 0.5));
  }
};

/// The statement is gone when this returns: a statement left open would hold a read
/// transaction on the connection, and its next write would fail as busy once the engine wrote.
int64_t entry_count(core::memory_db& store) {
  auto st = store.connection().prepare("SELECT count(*) FROM memory_entries");
  if (!st) die("store: " + st.err().message);
  if (auto r = st->step(); !r || !*r) die("store: failed to count entries");
  return st->column_int(0);
}

row compare(const std::string& op, const kind_timing& engine, const kind_timing& direct,
            const std::string& direct_name) {
  return {op, engine.rate(), direct.rate() + " (" + direct_name + ")",
          fmt("%.2f", engine.total_us / direct.total_us)};
}

} // namespace

report run_engine_part(const fs::path& data_dir, core::memory_db& store,
                       const std::string& encoding, const core::token_counter& counter,
                       std::vector<core::memory_entry> extra, size_t per_kind) {
  report out;
  if (extra.size() < kinds * per_kind) die("engine part: too few entries");
  spdlog::set_level(spdlog::level::warn); // the engine's start and stop notices

  auto cfg = core::default_config();
  cfg.data_dir = data_dir.string();
  cfg.token_encoding = encoding;
  // As the memory store does after each write, record every session's level once beforehand, so
  // that neither side pays for the first record of a session.
  const auto now = std::chrono::system_clock::now();
  for (size_t i = 0; i < n_sessions; ++i) {
    auto status = core::session_budget(store, cfg.budget, session_name(i), now);
    if (!status) die("session_budget: " + status.err().message);
    if (auto r = core::record_level(store, session_name(i), status->level, now); !r)
      die("record_level: " + r.err().message);
  }
  const int64_t before = entry_count(store);

  auto kb = std::make_shared<core::knowledge_base>();
  kb->root = data_dir;
  kb->finish();
  actors::engine_options opts;
  opts.workers = 1;
  auto engine = actors::engine::start(cfg, counter, std::move(kb), opts);
  if (!engine || !engine->await_ready()) die("failed to start the engine");
  auto& calls = engine->calls();
  {
    core::memory_query q; // opens the store actor's connection
    q.limit = 1;
    if (auto r = calls.memory_query(q); !r) die("engine memory_query: " + r.err().message);
  }

  // Rounds of 100 entries per kind, the kinds one after the other, so that load on the machine
  // and the growth of the database fall on all of them alike. Each batch holds entries of one
  // session, as one agent's batch does, so that the direct side's one budget check matches the
  // engine's (which checks every session of a batch before answering).
  kind_timing add, add_budget, engine_one, add_batch, engine_batch;
  size_t errors = 0;
  std::string first_error;
  auto failed = [&](const core::error& e) {
    if (errors++ == 0) first_error = e.message;
  };
  for (size_t round = 0; round * batch_size < per_kind; ++round) {
    auto part = [&](size_t kind) {
      auto from = extra.begin() + static_cast<ptrdiff_t>((round * kinds + kind) * batch_size);
      return std::vector<core::memory_entry>(from, from + static_cast<ptrdiff_t>(batch_size));
    };
    for (auto& e : part(0)) {
      auto t0 = clock_type::now();
      if (auto r = store.add(std::move(e)); !r) die("store add: " + r.err().message);
      add.add(us_since(t0), 1);
    }
    for (auto& e : part(1)) {
      auto t0 = clock_type::now();
      const auto session = e.session_id;
      if (auto r = store.add(std::move(e)); !r) die("store add: " + r.err().message);
      auto status =
          core::session_budget(store, cfg.budget, session, std::chrono::system_clock::now());
      if (!status) die("session_budget: " + status.err().message);
      if (auto r = core::record_level(store, session, status->level); !r)
        die("record_level: " + r.err().message);
      add_budget.add(us_since(t0), 1);
    }
    for (auto& e : part(2)) {
      auto t0 = clock_type::now();
      auto r = calls.memory_add(std::move(e));
      engine_one.add(us_since(t0), 1);
      if (!r) failed(r.err());
    }
    for (size_t kind : {size_t{3}, size_t{4}}) {
      auto batch = part(kind);
      for (auto& e : batch)
        e.session_id = session_name((round * 2 + kind) % n_sessions);
      auto t0 = clock_type::now();
      if (kind == 3) {
        if (auto r = store.add_batch(std::move(batch)); !r) die("add_batch: " + r.err().message);
        add_batch.add(us_since(t0), batch_size);
      } else {
        auto r = calls.memory_add(std::move(batch));
        engine_batch.add(us_since(t0), batch_size);
        if (!r) failed(r.err());
      }
    }
  }
  engine->stop();

  const int64_t stored = entry_count(store) - before;
  const auto expected = static_cast<int64_t>(kinds * per_kind);
  std::printf("engine         %lld entries in the database before, %lld added (%lld expected), "
              "%zu engine calls failed%s%s\n",
              static_cast<long long>(before), static_cast<long long>(stored),
              static_cast<long long>(expected), errors, errors ? ", first: " : "",
              first_error.c_str());
  if (stored != expected || errors) ++out.mismatches;

  const auto n = std::to_string(per_kind);
  out.rows.push_back(
      compare("insert, 1 per call (" + n + " entries each)", engine_one, add, "add"));
  out.rows.push_back(compare("insert, 1 per call, direct with the budget check the engine makes",
                             engine_one, add_budget, "add + session_budget + record_level"));
  out.rows.push_back(compare("insert, 100 of one session per call (" + n + " entries each)",
                             engine_batch, add_batch, "add_batch"));
  return out;
}

} // namespace sage::bench
