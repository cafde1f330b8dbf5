// YAML front matter parsing with yaml-cpp.
// SPDX-License-Identifier: MIT
#include "core/front_matter.hpp"

#include "core/text_util.hpp"

#include <algorithm>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace sage::core {
namespace {

std::string scalar_or_empty(const YAML::Node& node) {
  return node && node.IsScalar() ? node.as<std::string>() : std::string{};
}

void append_strings(const YAML::Node& node, std::vector<std::string>& out) {
  if (!node) return;
  if (node.IsScalar()) { // `tags: a, b` is common in hand-written front matter
    auto text = node.as<std::string>();
    size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      auto item = trim(std::string_view(text).substr(
          start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node)
      if (item.IsScalar()) out.push_back(item.as<std::string>());
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace

split_file split_front_matter(std::string_view text) {
  split_file out;
  out.body = text;
  auto opening = text.substr(0, 4);
  if (opening != "---\n" && text.substr(0, 5) != "---\r\n") return out;
  auto header_start = text.find('\n') + 1;
  // The closing fence is a line that is exactly `---` (or `...`).
  size_t pos = header_start;
  size_t close = std::string_view::npos, after = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    auto line =
        text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "---" || line == "...") {
      close = pos;
      after = eol == std::string_view::npos ? text.size() : eol + 1;
      break;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  if (close == std::string_view::npos) {
    out.problem = "front matter has no closing ---";
    return out;
  }
  auto yaml_text = text.substr(header_start, close - header_start);
  out.body = text.substr(after);
  out.body_line = 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + after, '\n'));
  try {
    auto root = YAML::Load(std::string{yaml_text});
    if (!root || root.IsNull()) return out;
    if (!root.IsMap()) {
      out.problem = "front matter is not a mapping";
      return out;
    }
    out.meta.title = scalar_or_empty(root["title"]);
    out.meta.description = scalar_or_empty(root["description"]);
    append_strings(root["tags"], out.meta.tags);
    append_strings(root["keywords"], out.meta.tags);
    out.meta.layer = scalar_or_empty(root["layer"]);
    out.meta.status = lower(scalar_or_empty(root["status"]));
    out.meta.language = lower(scalar_or_empty(root["lang"]));
    if (out.meta.language.empty()) out.meta.language = lower(scalar_or_empty(root["language"]));
    if (auto p = root["priority"]; p && p.IsScalar()) {
      try {
        out.meta.priority = p.as<int>();
      } catch (const YAML::Exception&) {
        out.problem = "front matter priority is not an integer";
      }
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops deep nesting itself (it would overflow the stack), with a message that
    // only says "bad file".
    out.meta = {};
    out.problem =
        "front matter nests lists and maps too deeply at line " + std::to_string(e.mark.line + 2);
  } catch (const YAML::Exception& e) {
    out.meta = {};
    out.problem = "invalid yaml in front matter at line " + std::to_string(e.mark.line + 2);
  }
  return out;
}

} // namespace sage::core
