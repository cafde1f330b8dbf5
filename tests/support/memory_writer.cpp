// Test-only writer for the durability and concurrency tests: adds memory entries in a loop and
// prints the id of each acknowledged one, so a printed line is a promise the store must keep.
// SPDX-License-Identifier: MIT
//
// memory_writer DB_PATH (--count N | --forever) [--session S] [--seconds T] [--batch K]
//               [--engine]
//
// Each entry's content is `memory_writer session=S seq=I`, I counting from 0 in the order the
// ids are printed. After each add that returned success the id is printed on its own line and
// stdout is flushed. On any failure it prints `error: …` to stderr and exits 1; bad usage exits
// 2. --seconds stops after T seconds with exit code 0. --batch K adds K entries per call, all or
// nothing, and prints their ids after the call. --engine writes the way the product does:
// through a running engine's memory store actor (the database must then be named `memory.db`,
// in the data directory the engine is given); without it, straight into the store.
#include "actors/engine.hpp"

#include "core/memory_db.hpp"
#include "core/tokenizer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

struct options {
  std::string db_path;
  std::optional<long long> count; ///< unset with --forever
  std::string session;
  std::optional<double> seconds;
  long long batch = 1;
  bool engine = false;
};

int usage(const std::string& problem) {
  std::fprintf(stderr,
               "error: %s\nusage: memory_writer DB_PATH (--count N | --forever) [--session S] "
               "[--seconds T] [--batch K]\n",
               problem.c_str());
  return 2;
}

int fail(const std::string& what, const sage::core::error& err) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(), err.message.c_str());
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  opt.session = "memory-writer-" + std::to_string(::getpid());
  bool forever = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        return argv[++i];
      };
      if (arg == "--count") {
        opt.count = std::stoll(next());
      } else if (arg == "--forever") {
        forever = true;
      } else if (arg == "--session") {
        opt.session = next();
      } else if (arg == "--seconds") {
        opt.seconds = std::stod(next());
      } else if (arg == "--batch") {
        opt.batch = std::stoll(next());
        if (opt.batch < 1) throw std::invalid_argument("--batch must be at least 1");
      } else if (arg == "--engine") {
        opt.engine = true;
      } else if (!arg.starts_with("--") && opt.db_path.empty()) {
        opt.db_path = arg;
      } else {
        return usage("unknown argument `" + std::string(arg) + "`");
      }
    }
  } catch (const std::exception& e) {
    return usage(std::string("bad argument: ") + e.what());
  }
  if (opt.db_path.empty()) return usage("missing DB_PATH");
  if (forever == opt.count.has_value()) return usage("give exactly one of --count and --forever");

  auto counter = sage::core::token_counter::load("estimate", "");
  if (!counter) return fail("failed to load token counter", counter.err());
  std::filesystem::path db_path(opt.db_path);
  if (opt.engine && db_path.filename() != "memory.db")
    return usage("--engine needs a DB_PATH named memory.db");

  // The two ways to write: a batch of entries in, the stored entries (with ids) out.
  using batch_writer = std::function<sage::core::result<std::vector<sage::core::memory_entry>>(
      std::vector<sage::core::memory_entry>)>;
  batch_writer write;
  std::optional<sage::core::memory_db> db;
  std::unique_ptr<sage::actors::engine> engine;
  if (opt.engine) {
    spdlog::set_level(spdlog::level::warn); // stderr is for errors: the tests expect it empty
    auto cfg = sage::core::default_config();
    cfg.data_dir = db_path.parent_path().string();
    cfg.token_encoding = "estimate";
    // No knowledge is asked for: an empty snapshot will do.
    auto kb = std::make_shared<sage::core::knowledge_base>();
    kb->root = db_path.parent_path();
    kb->finish();
    sage::actors::engine_options eo;
    eo.workers = 1;
    engine = sage::actors::engine::start(cfg, *counter, std::move(kb), eo);
    write = [&](std::vector<sage::core::memory_entry> batch) {
      if (batch.size() == 1) {
        auto one = engine->calls().memory_add(std::move(batch.front()));
        if (!one) return sage::core::result<std::vector<sage::core::memory_entry>>(one.err());
        return sage::core::result<std::vector<sage::core::memory_entry>>(
            std::vector<sage::core::memory_entry>{std::move(*one)});
      }
      return engine->calls().memory_add(std::move(batch));
    };
  } else {
    auto opened = sage::core::memory_db::open(db_path, *counter);
    if (!opened) return fail("failed to open memory database", opened.err());
    db.emplace(std::move(*opened));
    write = [&](std::vector<sage::core::memory_entry> batch) {
      return db->add_batch(std::move(batch));
    };
  }

  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  if (opt.seconds)
    deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                  std::chrono::duration<double>(*opt.seconds));
  for (long long seq = 0; !opt.count || seq < *opt.count;) {
    if (deadline && clock::now() >= deadline) break;
    std::vector<sage::core::memory_entry> batch;
    for (long long k = 0; k < opt.batch && (!opt.count || seq + k < *opt.count); ++k) {
      sage::core::memory_entry e;
      e.session_id = opt.session;
      e.content = "memory_writer session=" + opt.session + " seq=" + std::to_string(seq + k);
      batch.push_back(std::move(e));
    }
    auto n = static_cast<long long>(batch.size());
    auto added = write(std::move(batch));
    if (!added)
      return fail("failed to add memory entries, seq=" + std::to_string(seq), added.err());
    std::string lines;
    for (const auto& e : *added)
      lines += e.id + "\n";
    std::fputs(lines.c_str(), stdout);
    std::fflush(stdout);
    seq += n;
  }
  if (engine) engine->stop();
  return 0;
}
