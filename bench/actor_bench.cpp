// Cost of the actor path: search requests through the engine's bridge (node, timeout
// supervisor, loader, query worker) beside direct calls into core on the same snapshot.
// Requests per second and p50/p99 latency with 1 and 2 query workers and 1, 2 and 4 client
// threads; and `info` (one pass over the snapshot's documents, a small answer) for the cost of
// a round trip with little in it.
// SPDX-License-Identifier: MIT
//
// Usage: actor_bench DIR [--queries N] [--seconds S]
//   DIR        a folder of Markdown files, e.g. the extracted tldr pages
//   --queries  distinct queries of 1-3 words, cycled (default 2000)
//   --seconds  measuring time of each table row (default 3)
#include "actors/engine.hpp"

#include "core/config.hpp"
#include "core/kb_loader.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_ops.hpp"
#include "core/tokenizer.hpp"

#include "bench_words.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace sage;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

/// The floor under any blocking bridge: p50 of a round trip between two threads over a
/// condition variable (two hand-offs), the partner asleep in between as a scheduler thread
/// would be.
double handoff_round_trip_us() {
  std::mutex m;
  std::condition_variable cv;
  int turn = 0;
  bool stop = false;
  std::thread partner([&] {
    std::unique_lock<std::mutex> lock{m};
    while (true) {
      cv.wait(lock, [&] { return turn == 1 || stop; });
      if (stop) return;
      turn = 0;
      cv.notify_all();
    }
  });
  std::vector<double> us;
  for (int i = 0; i < 5000; ++i) {
    auto t0 = clock_type::now();
    {
      std::unique_lock<std::mutex> lock{m};
      turn = 1;
      cv.notify_all();
      cv.wait(lock, [&] { return turn == 0; });
    }
    us.push_back(ms_since(t0) * 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  {
    std::lock_guard<std::mutex> lock{m};
    stop = true;
  }
  cv.notify_all();
  partner.join();
  return percentile(us, 0.5);
}

// 1-3 distinct ASCII words of 3+ letters from one random section, with a fixed seed.
std::vector<core::search_params> make_queries(const core::knowledge_base& kb, size_t n) {
  std::mt19937 rng{20240617};
  std::vector<std::pair<uint32_t, uint32_t>> sections;
  for (uint32_t d = 0; d < kb.documents.size(); ++d)
    for (uint32_t s = 0; s < kb.documents[d].sections.size(); ++s)
      sections.emplace_back(d, s);
  std::vector<core::search_params> queries;
  if (sections.empty()) return queries;
  std::vector<std::string> words;
  while (queries.size() < n) {
    const auto [d, s] = sections[rng() % sections.size()];
    words = sage::bench::query_words(kb.documents[d].sections[s].text);
    if (words.empty()) continue;
    std::shuffle(words.begin(), words.end(), rng);
    words.resize(std::min<size_t>(words.size(), 1 + rng() % 3));
    core::search_params p;
    for (const auto& word : words)
      p.query += (p.query.empty() ? "" : " ") + word;
    queries.push_back(std::move(p));
  }
  return queries;
}

/// One request: why it failed (empty: it did not), and the time spent in core as the
/// answer reports it (search only; negative when unknown).
struct outcome {
  std::string error;
  double core_us = -1;
};

/// One table row: every request's latency, how many failed and why.
struct row {
  std::string mode, op, workers;
  unsigned clients = 1;
  std::vector<double> us;
  std::vector<double> core_us; ///< inside `run_search`, from the answers
  size_t errors = 0;
  double wall_s = 0;
  std::map<std::string, size_t> why; ///< error message -> count

  double per_second() const { return wall_s > 0 ? static_cast<double>(us.size()) / wall_s : 0; }
  double p50() const { return percentile(us, 0.5); }
  double p99() const { return percentile(us, 0.99); }
  double mean() const {
    double s = 0;
    for (auto x : us)
      s += x;
    return us.empty() ? 0 : s / static_cast<double>(us.size());
  }
};

/// Runs `call(client, query)` from `clients` threads for `seconds`, each thread cycling
/// through the queries from its own offset. `call` returns the request's `outcome`.
template <class Call>
row drive(std::string mode, std::string op, std::string workers, unsigned clients, double seconds,
          size_t n_queries, Call&& call) {
  row out{std::move(mode), std::move(op), std::move(workers), clients, {}, {}, 0, 0, {}};
  std::mutex merge;
  const auto start = clock_type::now();
  const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(
                                    std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (unsigned c = 0; c < clients; ++c)
    pool.emplace_back([&, c] {
      std::vector<double> us, core_us;
      std::map<std::string, size_t> why;
      size_t errors = 0;
      for (size_t k = c * n_queries / clients; clock_type::now() < deadline; ++k) {
        const auto t0 = clock_type::now();
        auto o = call(c, k % n_queries);
        us.push_back(ms_since(t0) * 1000);
        if (o.core_us >= 0) core_us.push_back(o.core_us);
        if (!o.error.empty()) ++errors, ++why[o.error];
      }
      std::lock_guard lock{merge};
      out.us.insert(out.us.end(), us.begin(), us.end());
      out.core_us.insert(out.core_us.end(), core_us.begin(), core_us.end());
      out.errors += errors;
      for (auto& [msg, n] : why)
        out.why[msg] += n;
    });
  for (auto& t : pool)
    t.join();
  out.wall_s = ms_since(start) / 1000;
  return out;
}

template <class Answer> outcome check(const core::result<Answer>& r) {
  if (!r) return {"error: " + r.err().message};
  outcome o;
  if constexpr (requires { r->status; }) {
    o.core_us = r->duration_ms * 1000;
    if (r->status != "success")
      o.error = "status " + r->status + (r->errors.empty() ? "" : ": " + r->errors.front());
  }
  return o;
}

/// Whether two answers rank the same sections with the same scores.
bool same_answer(const core::search_answer& a, const core::search_answer& b) {
  if (a.results.size() != b.results.size()) return false;
  for (size_t i = 0; i < a.results.size(); ++i)
    if (a.results[i].section_id != b.results[i].section_id ||
        a.results[i].score != b.results[i].score || a.results[i].snippet != b.results[i].snippet)
      return false;
  return true;
}

int usage() {
  std::fprintf(stderr, "usage: actor_bench DIR [--queries N] [--seconds S]\n");
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const fs::path root = argv[1];
  size_t n_queries = 2000;
  double seconds = 3;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--queries" && i + 1 < argc)
      n_queries = std::max<size_t>(1, std::stoul(argv[++i]));
    else if (a == "--seconds" && i + 1 < argc)
      seconds = std::max(0.1, std::stod(argv[++i]));
    else
      return usage();
  }
  if (!fs::is_directory(root)) {
    std::fprintf(stderr, "failed to open corpus folder: %s\n", root.c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::warn); // the engine's start and stop notices

  std::printf("command        %s %s --queries %zu --seconds %g\n", argv[0], root.c_str(), n_queries,
              seconds);
#ifdef NDEBUG
  const char* build = "optimised";
#else
  const char* build = "assertions on (not an optimised build)";
#endif
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("machine        %u hardware threads, load average %.2f at start; build %s\n",
              std::thread::hardware_concurrency(), load[0], build);

  const auto cfg = core::default_config();
  auto tokens = core::token_counter::load(cfg.token_encoding, SAGE_DEFAULT_DATA_DIR);
  if (!tokens) {
    std::fprintf(stderr, "failed to load the token counter: %s\n", tokens.err().message.c_str());
    return 2;
  }
  auto loaded = core::load_knowledge_base(cfg, {root, {}, 1, 2, nullptr});
  if (!loaded) {
    std::fprintf(stderr, "failed to load %s: %s\n", root.c_str(), loaded.err().message.c_str());
    return 2;
  }
  std::shared_ptr<const core::knowledge_base> kb = std::move(*loaded);
  size_t n_sections = 0;
  for (const auto& d : kb->documents)
    n_sections += d.sections.size();
  const auto queries = make_queries(*kb, n_queries);
  if (queries.empty()) {
    std::fprintf(stderr, "no words to make queries of in %s\n", root.c_str());
    return 2;
  }
  std::printf("corpus         %zu documents, %zu sections, loaded in %.0f ms on 2 threads\n",
              kb->documents.size(), n_sections, kb->stats.build_ms);
  std::printf("queries        %zu of 1-3 words, OR, default limit %d, snippets included; each "
              "row runs %g s\n",
              queries.size(), cfg.search.default_limit, seconds);

  // One analyzer per direct client thread, as each query worker has its own.
  std::vector<std::unique_ptr<core::analyzer>> analyzers;
  for (int i = 0; i < 4; ++i)
    analyzers.push_back(std::make_unique<core::analyzer>());
  auto direct = [&](unsigned c) { return core::op_context{*kb, cfg, *tokens, *analyzers[c]}; };

  // The direct answers, for comparison with the engine's; this pass also warms the analyzer.
  std::vector<core::search_answer> expected(queries.size());
  size_t baseline_errors = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    auto r = core::run_search(direct(0), queries[q]);
    if (r)
      expected[q] = std::move(*r);
    else
      ++baseline_errors;
  }
  auto direct_search = [&](unsigned c, size_t q) {
    return check(core::run_search(direct(c), queries[q]));
  };
  auto direct_info = [&](unsigned c, size_t) {
    return check(core::result<core::kb_info>(core::describe_kb(direct(c))));
  };

  std::vector<row> rows;
  rows.push_back(drive("direct", "search", "-", 1, seconds, queries.size(), direct_search));
  rows.push_back(drive("direct", "search", "-", 2, seconds, queries.size(), direct_search));
  rows.push_back(drive("direct", "info", "-", 1, seconds, queries.size(), direct_info));

  size_t mismatches = 0;
  for (unsigned workers : {1u, 2u}) {
    auto engine = actors::engine::start(cfg, *tokens, kb,
                                        {.network = false, .watch = false, .workers = workers});
    auto& calls = engine->calls();
    // Warm-up (every worker's analyzer sees every query) and the same answers as core's.
    for (unsigned pass = 0; pass < workers; ++pass)
      for (size_t q = 0; q < queries.size(); ++q) {
        auto r = calls.search(queries[q]);
        if (!r || !same_answer(*r, expected[q])) ++mismatches;
      }
    auto actor_search = [&](unsigned, size_t q) { return check(calls.search(queries[q])); };
    auto actor_info = [&](unsigned, size_t) { return check(calls.info()); };
    const auto w = std::to_string(workers);
    for (unsigned clients : {1u, 2u, 4u})
      rows.push_back(drive("actor", "search", w, clients, seconds, queries.size(), actor_search));
    rows.push_back(drive("actor", "info", w, 1, seconds, queries.size(), actor_info));
  }

  // "µs" is two bytes wide in UTF-8: headers holding it get one more column of width.
  std::printf("\n%-7s %-7s %7s %7s %12s %10s %10s %10s %14s %7s\n", "mode", "op", "workers",
              "clients", "requests/s", "p50 µs", "p99 µs", "mean µs", "in core p50 µs", "errors");
  size_t errors = baseline_errors;
  for (const auto& r : rows) {
    char in_core[32] = "-";
    if (!r.core_us.empty())
      std::snprintf(in_core, sizeof in_core, "%.1f", percentile(r.core_us, 0.5));
    std::printf("%-7s %-7s %7s %7u %12.0f %9.1f %9.1f %9.1f %13s %7zu\n", r.mode.c_str(),
                r.op.c_str(), r.workers.c_str(), r.clients, r.per_second(), r.p50(), r.p99(),
                r.mean(), in_core, r.errors);
    errors += r.errors;
  }
  auto find = [&](const char* mode, const char* op, const char* workers,
                  unsigned clients) -> const row* {
    for (const auto& r : rows)
      if (r.mode == mode && r.op == op && r.workers == workers && r.clients == clients) return &r;
    return &rows.front();
  };

  std::printf("\n");
  const auto* d1 = find("direct", "search", "-", 1);
  const auto* i1 = find("direct", "info", "-", 1);
  double worst = 0;
  for (const char* w : {"1", "2"}) {
    const auto* a = find("actor", "search", w, 1);
    const auto* ai = find("actor", "info", w, 1);
    const double over = a->p50() - d1->p50();
    worst = std::max(worst, over);
    std::printf("overhead       %s, 1 client: search p50 +%.1f µs (%.2fx direct; in core +%.1f "
                "µs), mean +%.1f µs; info p50 +%.1f µs (%.2fx direct)\n",
                *w == '1' ? "1 worker " : "2 workers", over, a->p50() / std::max(1e-9, d1->p50()),
                percentile(a->core_us, 0.5) - percentile(d1->core_us, 0.5), a->mean() - d1->mean(),
                ai->p50() - i1->p50(), ai->p50() / std::max(1e-9, i1->p50()));
  }
  const auto* d2 = find("direct", "search", "-", 2);
  auto rate = [&](const char* workers, unsigned clients) {
    return find("actor", "search", workers, clients)->per_second();
  };
  double best_actor = 0;
  for (const char* w : {"1", "2"})
    for (unsigned c : {1u, 2u, 4u})
      best_actor = std::max(best_actor, rate(w, c));
  std::printf("scaling        requests/s with 2 workers / with 1: %.2fx at 1 client, %.2fx at 2, "
              "%.2fx at 4; direct 2 threads / 1: %.2fx\n",
              rate("2", 1) / std::max(1e-9, rate("1", 1)),
              rate("2", 2) / std::max(1e-9, rate("1", 2)),
              rate("2", 4) / std::max(1e-9, rate("1", 4)),
              d2->per_second() / std::max(1e-9, d1->per_second()));
  std::printf("throughput     best actor row / direct 2 threads: %.2f\n",
              best_actor / std::max(1e-9, d2->per_second()));
  std::printf("handoff        two threads over a condition variable: round trip p50 %.1f µs "
              "(each bridge call needs at least one)\n",
              handoff_round_trip_us());
  std::printf("target         actor path < 20 µs per search over the direct call (p50): %s "
              "(worst +%.1f µs)\n",
              worst < 20 ? "met" : "NOT met", worst);
  std::printf("answers        %zu engine answers differ from core's or failed; %zu errors\n",
              mismatches, errors);
  for (const auto& r : rows)
    for (const auto& [msg, n] : r.why)
      std::printf("  %s %s %s workers %u clients: %zu x %s\n", r.mode.c_str(), r.op.c_str(),
                  r.workers.c_str(), r.clients, n, msg.c_str());
  if (baseline_errors)
    std::printf("  direct search (reference pass): %zu errors\n", baseline_errors);
  return errors == 0 && mismatches == 0 ? 0 : 1;
}
