// Prints the cl100k_base and o200k_base token counts of the files named on stdin (interop test).
// SPDX-License-Identifier: MIT
//
// usage: sage_count_tokens [--data-dir DIR] [--bench] < paths
//   default: one "path<TAB>cl100k<TAB>o200k" line per input path, for comparison with
//            count_tokens.mjs (the reference, js-tiktoken);
//   --bench: table load times and count() throughput over the files instead.
#include "core/tokenizer.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using sage::core::token_counter;
using clock_type = std::chrono::steady_clock;

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return true;
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

int bench(const std::string& data_dir, const std::vector<std::string>& paths) {
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (const auto& p : paths) {
    std::string t;
    if (read_file(p, t)) {
      bytes += t.size();
      texts.push_back(std::move(t));
    }
  }
  for (const char* enc : {"cl100k_base", "o200k_base"}) {
    // Each load is timed cold; the process cache would make a second load of one name free.
    const auto t0 = clock_type::now();
    auto counter = token_counter::load(enc, data_dir);
    const double load_ms = ms_since(t0);
    if (!counter) {
      std::cerr << "error: " << counter.err().message << "\n";
      return 1;
    }
    size_t tokens = 0;
    const auto t1 = clock_type::now();
    int rounds = 0;
    do {
      for (const auto& t : texts)
        tokens += counter->count(t);
      ++rounds;
    } while (ms_since(t1) < 1000.0);
    const double secs = ms_since(t1) / 1000.0;
    std::printf(
        "%s: load %.1f ms; count %.1f MB/s, %.2f M tokens/s (%zu files, %zu bytes, %d rounds)\n",
        enc, load_ms, bytes * rounds / secs / 1e6, tokens / secs / 1e6, texts.size(), bytes,
        rounds);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::string data_dir = SAGE_DEFAULT_DATA_DIR;
  bool bench_mode = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--data-dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (arg == "--bench") {
      bench_mode = true;
    } else {
      std::cerr << "usage: sage_count_tokens [--data-dir DIR] [--bench] < paths\n";
      return 2;
    }
  }
  std::vector<std::string> paths;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty()) paths.push_back(line);
  }
  if (bench_mode) return bench(data_dir, paths);

  auto cl = token_counter::load("cl100k_base", data_dir);
  auto o2 = token_counter::load("o200k_base", data_dir);
  for (const auto* c : {&cl, &o2}) {
    if (!*c) {
      std::cerr << "error: " << c->err().message << " (" << c->err().hint << ")\n";
      return 1;
    }
  }
  std::string text;
  for (const auto& p : paths) {
    if (!read_file(p, text)) {
      std::cerr << "error: cannot read " << p << "\n";
      return 1;
    }
    std::cout << p << '\t' << cl->count(text) << '\t' << o2->count(text) << '\n';
  }
  return 0;
}
