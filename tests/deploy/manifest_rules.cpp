// The problem report and YAML helpers shared by the manifest rules.
// SPDX-License-Identifier: MIT
#include "manifest_rules.hpp"

namespace sage::tests::deploy {

void report::fail(const document& d, const std::string& what) {
  problems_.push_back(d.file.string() + " (document " + std::to_string(d.index) + "): " + what);
}

void report::fail(const std::filesystem::path& file, const std::string& what) {
  problems_.push_back(file.string() + ": " + what);
}

YAML::Node child(const YAML::Node& node, const std::string& key) {
  if (!node || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  // A missing key gives an invalid node that throws when asked its type; make it undefined.
  YAML::Node value = node[key];
  return value ? value : YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node at(const YAML::Node& node, std::initializer_list<const char*> path) {
  // reset() rebinds; operator= would write into the document the node refers to.
  YAML::Node current = node;
  for (const char* key : path)
    current.reset(child(current, key));
  return current;
}

std::string text(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string{};
}

std::optional<int> integer(const YAML::Node& node) {
  try {
    if (node && node.IsScalar()) return node.as<int>();
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

bool is_true(const YAML::Node& node) {
  try {
    return node && node.IsScalar() && node.as<bool>();
  } catch (const YAML::Exception&) {
    return false;
  }
}

} // namespace sage::tests::deploy
