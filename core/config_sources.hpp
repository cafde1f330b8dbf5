// Internal: reading configuration sources (YAML files, `.env`, environment variable names).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core::config_detail {

/// Largest configuration file (YAML or `.env`) read; the bundled sage.yaml is about 15 KB.
inline constexpr std::size_t max_config_file_bytes = std::size_t{1} << 20;

/// One `KEY=VALUE` assignment of a `.env` file, with its line for messages.
struct dotenv_entry {
  std::string name;
  std::string value;
  int line = 0;
};

/// Parses `.env` text: `KEY=VALUE` lines, `#` comments, optional `export `, single quotes
/// (literal) or double quotes (with `\n`, `\t`, `\"`, `\\`; may span lines). Malformed lines
/// are an error only when they concern a `SAGE_` variable: the file is shared with other tools.
result<std::vector<dotenv_entry>> parse_dotenv(std::string_view text, const std::string& path);

/// Reads and parses a `.env` file; `std::nullopt` when it does not exist.
result<std::optional<std::vector<dotenv_entry>>> read_dotenv_file(const std::string& path);

/// Reads and parses a YAML file; `std::nullopt` when it does not exist. An unreadable file or a
/// syntax error (with line and column) is an error.
result<std::optional<YAML::Node>> read_yaml_file(const std::string& path);

/// The configuration key a `SAGE_*` variable sets (`SAGE_KB_PATH` -> `knowledge.path`,
/// `SAGE_TIMEOUT__LAYER` -> `timeout.layer`), or `std::nullopt` for variables that are not
/// configuration keys (`SAGE_CONFIG_PATH`, other tools' `SAGE_FOO`).
std::optional<std::string> key_for_variable(std::string_view name);

} // namespace sage::core::config_detail
