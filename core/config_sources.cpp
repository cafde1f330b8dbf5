// Reading configuration sources: YAML files, `.env` files and the process environment.
// SPDX-License-Identifier: MIT
#include "core/config_sources.hpp"

#include "core/bounded_read.hpp"
#include "core/config.hpp"
#include "core/text_util.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>

namespace sage::core {

namespace config_detail {

namespace {

struct named_variable {
  std::string_view variable;
  std::string_view key;
};

constexpr std::array<named_variable, 9> named_variables{{
    {"SAGE_KB_PATH", "knowledge.path"},
    {"SAGE_CACHE_DIR", "cache.dir"},
    {"SAGE_DATA_DIR", "memory.data_dir"},
    {"SAGE_LOG_LEVEL", "logging.level"},
    {"SAGE_DEBUG", "logging.debug"},
    {"SAGE_API_PORT", "server.api_port"},
    {"SAGE_MCP_PORT", "server.mcp_port"},
    {"SAGE_METRICS_PORT", "server.metrics_port"},
    {"SAGE_API_KEY", "server.api_key"},
}};

/// The text of a file, `std::nullopt` when it does not exist. Regular files only (a FIFO would
/// hang the start, /dev/zero fill the memory) and at most `max_config_file_bytes`.
result<std::optional<std::string>> read_text(const std::string& path, std::string_view what) {
  auto text = read_bounded_file(path, max_config_file_bytes, what);
  if (text) return std::optional<std::string>{std::move(*text)};
  if (text.err().code == error_code::not_found) return std::optional<std::string>{};
  return make_error(error_code::config, text.err().message, text.err().hint);
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

error dotenv_error(const std::string& path, int line, std::string_view what, std::string_view got) {
  std::string shown{got.substr(0, 60)};
  return make_error(error_code::config,
                    "failed to parse " + path + " line " + std::to_string(line) + ": expected " +
                        std::string{what} + ", got \"" + shown + "\"",
                    "write SAGE_NAME=value, quote values with spaces, or remove the line");
}

} // namespace

result<std::vector<dotenv_entry>> parse_dotenv(std::string_view text, const std::string& path) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  std::vector<dotenv_entry> entries;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    int number = static_cast<int>(i) + 1;
    auto line = trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export") && line.size() > 6 &&
        std::isspace(static_cast<unsigned char>(line[6])))
      line = trim(line.substr(6));
    std::size_t name_end = 0;
    while (name_end < line.size() && is_name_char(line[name_end]))
      ++name_end;
    std::string name{line.substr(0, name_end)};
    bool ours = name.starts_with("SAGE_");
    auto rest = trim(line.substr(name_end));
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || rest.empty() ||
        rest.front() != '=') {
      if (ours || line.starts_with("SAGE_")) return dotenv_error(path, number, "KEY=VALUE", line);
      continue;
    }
    auto value_text = trim(rest.substr(1));
    std::string value;
    if (!value_text.empty() && (value_text.front() == '"' || value_text.front() == '\'')) {
      char quote = value_text.front();
      // The value may continue on the following lines until its closing quote.
      std::string joined{value_text.substr(1)};
      std::size_t last = i;
      std::size_t close = std::string::npos;
      for (;;) {
        for (std::size_t k = 0; k < joined.size(); ++k) {
          if (quote == '"' && joined[k] == '\\' && k + 1 < joined.size()) {
            ++k;
            continue;
          }
          if (joined[k] == quote) {
            close = k;
            break;
          }
        }
        if (close != std::string::npos || last + 1 >= lines.size()) break;
        joined += '\n';
        joined += lines[++last];
      }
      if (close == std::string::npos) {
        if (ours) return dotenv_error(path, number, std::string{"a closing "} + quote, value_text);
        i = last;
        continue;
      }
      auto after = trim(std::string_view{joined}.substr(close + 1));
      if (!after.empty() && after.front() != '#') {
        if (ours)
          return dotenv_error(path, number, "nothing but a comment after the closing quote",
                              value_text);
        i = last;
        continue;
      }
      auto inner = joined.substr(0, close);
      if (quote == '\'') {
        value = inner;
      } else {
        for (std::size_t k = 0; k < inner.size(); ++k) {
          if (inner[k] != '\\' || k + 1 == inner.size()) {
            value += inner[k];
            continue;
          }
          char next = inner[++k];
          switch (next) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case 'r':
            value += '\r';
            break;
          default:
            value += next;
            break;
          }
        }
      }
      i = last;
    } else {
      // Unquoted: a ` #` starts a comment.
      auto comment = value_text.find(" #");
      auto tab_comment = value_text.find("\t#");
      value = std::string{trim(value_text.substr(0, std::min(comment, tab_comment)))};
      auto raw = rest.substr(1);
      if (value_text.starts_with('#') && !raw.empty() &&
          std::isspace(static_cast<unsigned char>(raw.front())))
        value.clear(); // `KEY= # comment`
    }
    if (ours) entries.push_back({std::move(name), std::move(value), number});
  }
  return entries;
}

result<std::optional<std::vector<dotenv_entry>>> read_dotenv_file(const std::string& path) {
  auto text = read_text(path, "environment file");
  if (!text) return text.err();
  if (!*text) return std::optional<std::vector<dotenv_entry>>{};
  auto entries = parse_dotenv(**text, path);
  if (!entries) return entries.err();
  return std::optional<std::vector<dotenv_entry>>{std::move(*entries)};
}

result<std::optional<YAML::Node>> read_yaml_file(const std::string& path) {
  auto text = read_text(path, "config file");
  if (!text) return text.err();
  if (!*text) return std::optional<YAML::Node>{};
  try {
    return std::optional<YAML::Node>{YAML::Load(**text)};
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops deep nesting itself (it would overflow the stack), with a message that
    // only says "bad file".
    auto line = std::to_string(e.mark.line + 1);
    return make_error(error_code::config,
                      "failed to parse config file " + path +
                          ": it nests lists and maps too deeply at line " + line,
                      "configuration is a few levels deep; check that " + path +
                          " is the right file");
  } catch (const YAML::Exception& e) {
    auto line = std::to_string(e.mark.line + 1);
    return make_error(error_code::config,
                      "failed to parse config file " + path + ": " + e.msg + " at line " + line +
                          ", column " + std::to_string(e.mark.column + 1),
                      "fix the YAML syntax near line " + line +
                          " (indentation, a missing colon or quote)");
  }
}

std::optional<std::string> key_for_variable(std::string_view name) {
  for (const auto& v : named_variables)
    if (v.variable == name) return std::string{v.key};
  if (!name.starts_with("SAGE_") || name.find("__") == std::string_view::npos) return std::nullopt;
  std::string key;
  auto rest = name.substr(5);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest.substr(i, 2) == "__") {
      key += '.';
      ++i;
    } else {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
    }
  }
  return key;
}

} // namespace config_detail

config_inputs standard_config_inputs() {
  config_inputs inputs;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text{*entry};
    auto eq = text.find('=');
    if (eq != std::string_view::npos)
      inputs.env.emplace(std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)});
  }
  inputs.files.push_back("/etc/sage/sage.yaml");
  if (auto home = inputs.env.find("HOME"); home != inputs.env.end() && !home->second.empty())
    inputs.files.push_back(
        (std::filesystem::path{home->second} / ".sage" / "config.yaml").string());
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  inputs.files.push_back(ec ? std::string{"sage.yaml"} : (cwd / "sage.yaml").string());
  inputs.dotenv_file = ec ? std::string{".env"} : (cwd / ".env").string();
  return inputs;
}

} // namespace sage::core
