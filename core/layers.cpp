// Layers of a knowledge base.
// SPDX-License-Identifier: MIT
#include "core/layers.hpp"

#include "core/kb_paths.hpp"

#include <cctype>

namespace sage::core {

std::string layer_of(std::string_view path, std::string_view front_matter_layer,
                     const std::vector<layer_config>& layers) {
  if (!front_matter_layer.empty()) {
    auto wanted = ascii_lower(front_matter_layer);
    for (const auto& l : layers)
      if (l.name == wanted) return l.name;
  }
  auto slash = path.find('/');
  auto first = ascii_lower(path.substr(0, slash));
  for (const auto& l : layers) {
    auto folder = ascii_lower(l.folder);
    if (slash == std::string_view::npos
            ? folder == first
            : (folder == first && folder.find('.') == std::string::npos))
      return l.name;
  }
  return std::string(other_layer);
}

int layer_priority(std::string_view layer, const std::vector<layer_config>& layers) {
  int highest = 0;
  for (const auto& l : layers) {
    if (l.name == layer) return l.priority;
    highest = std::max(highest, l.priority);
  }
  return highest + 1;
}

result<std::string> resolve_layer_name(std::string_view name, const config& cfg) {
  auto wanted = ascii_lower(name);
  if (auto it = cfg.layer_aliases.find(wanted); it != cfg.layer_aliases.end()) wanted = it->second;
  std::string names;
  for (const auto& l : cfg.layers) {
    if (l.name == wanted) return l.name;
    names += (names.empty() ? "" : ", ") + l.name;
  }
  if (wanted == other_layer) return std::string(other_layer);
  return make_error(error_code::not_found, "unknown layer: " + std::string(name),
                    "known layers: " + names + ", other");
}

std::string language_from_path(std::string_view path) {
  size_t pos = 0;
  while (pos < path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) break; // the file name itself carries no language
    auto part = path.substr(pos, slash - pos);
    auto dot = part.rfind('.');
    if (dot != std::string_view::npos) {
      auto suffix = part.substr(dot + 1);
      auto code = suffix.substr(0, suffix.find('_'));
      bool letters = code.size() >= 2 && code.size() <= 3;
      for (char c : code)
        letters = letters && std::isalpha(static_cast<unsigned char>(c));
      if (letters) return ascii_lower(code);
    }
    pos = slash + 1;
  }
  return {};
}

} // namespace sage::core
