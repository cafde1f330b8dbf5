// Helpers shared by the test suites: temporary folders, files, and the real corpora.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <unistd.h>

namespace sage::test {

/// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class temp_dir {
public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sage-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

  /// Writes `text` to the relative path, creating folders.
  std::filesystem::path write(const std::string& rel, const std::string& text) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

private:
  std::filesystem::path path_;
};

/// The shared corpora folder: $SAGE_CORPORA, else the default given at build time.
inline std::filesystem::path corpora_dir() {
  if (const char* env = std::getenv("SAGE_CORPORA")) return env;
  return SAGE_CORPORA_DEFAULT;
}

/// True when a corpus is present. When absent it says so loudly; under CI=true the absence is
/// a failure the caller turns into a failed check.
inline bool corpus_available(const std::filesystem::path& p) {
  if (std::filesystem::exists(p)) return true;
  std::cerr << "SKIP: corpus not found at " << p << " (set SAGE_CORPORA)\n";
  return false;
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

} // namespace sage::test
