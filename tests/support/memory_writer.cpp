// Test-only writer for the durability and concurrency tests: adds memory entries in a loop and
// prints the id of each acknowledged one, so a printed line is a promise the store must keep.
// SPDX-License-Identifier: MIT
//
// memory_writer DB_PATH (--count N | --forever) [--session S] [--seconds T] [--batch K]
//
// Each entry's content is `memory_writer session=S seq=I`, I counting from 0 in the order the
// ids are printed. After each add that returned success the id is printed on its own line and
// stdout is flushed. On any failure it prints `error: …` to stderr and exits 1; bad usage exits
// 2. --seconds stops after T seconds with exit code 0. --batch is accepted for the day the store
// offers several adds in one transaction; the store has no such call yet, so it is ignored.
#include "core/memory_db.hpp"
#include "core/tokenizer.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
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
        (void)std::stoll(next()); // no batch call in the store yet: see the file header
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
  auto db = sage::core::memory_db::open(opt.db_path, std::move(*counter));
  if (!db) return fail("failed to open memory database", db.err());

  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  if (opt.seconds)
    deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                  std::chrono::duration<double>(*opt.seconds));
  for (long long seq = 0; !opt.count || seq < *opt.count; ++seq) {
    if (deadline && clock::now() >= deadline) break;
    sage::core::memory_entry e;
    e.session_id = opt.session;
    e.content = "memory_writer session=" + opt.session + " seq=" + std::to_string(seq);
    auto added = db->add(std::move(e));
    if (!added) return fail("failed to add memory entry, seq=" + std::to_string(seq), added.err());
    std::fputs((added->id + "\n").c_str(), stdout);
    std::fflush(stdout);
  }
  return 0;
}
