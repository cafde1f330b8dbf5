// Helpers for the configuration tests: a temporary directory and checks on errors.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace sage::core::test {

/// A directory under /tmp that is removed with the fixture, so tests never touch $HOME or ./.
struct config_dir {
  std::filesystem::path path;

  config_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "sage-config-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~config_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  config_dir(const config_dir&) = delete;
  config_dir& operator=(const config_dir&) = delete;

  /// Writes `text` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    auto file = path / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// Loads `inputs`, requiring success.
inline config load_ok(const config_inputs& inputs) {
  auto cfg = load_config(inputs);
  BOOST_REQUIRE_MESSAGE(cfg.has_value(),
                        "unexpected error: " + (cfg ? std::string{} : cfg.err().message));
  return std::move(cfg).value();
}

/// Loads `inputs`, requiring a configuration error, and returns it.
inline error load_error(const config_inputs& inputs) {
  auto cfg = load_config(inputs);
  BOOST_REQUIRE_MESSAGE(!cfg.has_value(), "expected a configuration error");
  BOOST_CHECK(cfg.err().code == error_code::config);
  return cfg.err();
}

/// Inputs with one YAML file written into `dir`.
inline config_inputs with_file(const config_dir& dir, const std::string& yaml) {
  config_inputs inputs;
  inputs.files.push_back(dir.write("sage.yaml", yaml));
  return inputs;
}

inline bool same_values(const config& a, const config& b) {
  return to_json(a, false) == to_json(b, false);
}

} // namespace sage::core::test
