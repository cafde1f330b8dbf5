// The real `sage` binary run with a private HOME, cache and data folder, for process tests of
// commands that touch the memory database, and the real sqlite3 and sha256sum tools beside it.
// SPDX-License-Identifier: MIT
#pragma once

#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace sage::test {

struct run_result {
  int code = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Runs a shell command; its exit code and output (stdout and stderr together).
inline run_result shell(const std::string& cmd, const std::filesystem::path& scratch) {
  auto out = scratch / "shell.out";
  int status = std::system((cmd + " >" + shell_quote(out.string()) + " 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), ""};
}

/// `sage` without the caller's SAGE_* settings or XDG_DATA_HOME, so that tests never touch
/// the user's memory database or cache.
struct sage_sandbox {
  temp_dir home;
  std::filesystem::path data_dir = home.path() / "data";
  std::filesystem::path cache_dir = home.path() / "cache";

  std::filesystem::path db() const { return data_dir / "memory.db"; }

  run_result operator()(const std::vector<std::string>& args) const {
    std::string cmd =
        "cd " + shell_quote(home.path().string()) +
        " && env -u SAGE_KB_PATH -u SAGE_CONFIG_PATH -u XDG_DATA_HOME "
        "-u SAGE_DATA_DIR -u NO_COLOR HOME=" +
        shell_quote(home.path().string()) + " SAGE_CACHE_DIR=" + shell_quote(cache_dir.string()) +
        " SAGE_DATA_DIR=" + shell_quote(data_dir.string()) + " " + shell_quote(SAGE_BINARY);
    for (const auto& a : args)
      cmd += " " + shell_quote(a);
    auto out = home.path() / "stdout", err = home.path() / "stderr";
    cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " </dev/null";
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  /// Runs `args` with --json and requires exit 0; returns the JSON.
  nlohmann::json ok(std::vector<std::string> args) const {
    args.push_back("--json");
    auto r = (*this)(args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, "sage exited " << r.code << ": " << r.err << r.out);
    return r.json();
  }

  /// Output of the real sqlite3 tool on a database (the memory database by default).
  std::string sql(const std::string& query, std::optional<std::filesystem::path> file = {}) const {
    auto r = shell("sqlite3 -batch " + shell_quote((file ? *file : db()).string()) + " " +
                       shell_quote(query),
                   home.path());
    BOOST_REQUIRE_MESSAGE(r.code == 0, "sqlite3 failed: " << r.out);
    auto text = r.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    return text;
  }

  /// The SHA-256 of a file by the real sha256sum tool.
  std::string sha256(const std::filesystem::path& file) const {
    auto r = shell("sha256sum " + shell_quote(file.string()), home.path());
    BOOST_REQUIRE_MESSAGE(r.code == 0, "sha256sum failed: " << r.out);
    return r.out.substr(0, 64);
  }
};

/// Overwrites the middle half of a file with a pattern that is no valid SQLite page: every
/// b-tree page there is damaged, while the header (page 1) stays readable.
inline void damage_middle(const std::filesystem::path& file) {
  auto size = std::filesystem::file_size(file);
  BOOST_REQUIRE_GT(size, 4 * 4096u);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / 4));
  std::string garbage(size / 2, '\xA5');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  BOOST_REQUIRE(f.good());
}

/// Flips the bits of one byte of a file, at `offset` (default: the middle).
inline void flip_byte(const std::filesystem::path& file, std::optional<size_t> offset = {}) {
  auto size = std::filesystem::file_size(file);
  auto at = static_cast<std::streamoff>(offset ? *offset : size / 2);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(~c);
  f.seekp(at);
  f.write(&c, 1);
  BOOST_REQUIRE(f.good());
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace sage::test
