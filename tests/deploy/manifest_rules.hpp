// Rules the deployment manifests under deploy/ must satisfy, one entry point per kind of file.
// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace sage::tests::deploy {

/// The ports `sage serve` listens on by default (server.api_port, mcp_port, metrics_port).
constexpr int api_port = 8000;
constexpr int mcp_port = 8001;
constexpr int metrics_port = 9000;
/// How long a stop may take everywhere (systemd, Compose, Kubernetes): the HTTP drain (5 s) and
/// the engine's shutdown grace (5 s) with room to spare.
constexpr int stop_grace_seconds = 30;

/// One YAML document of a manifest file; `index` counts from 1 within the file.
struct document {
  std::filesystem::path file;
  int index = 1;
  YAML::Node node;
};

/// What is wrong, one line per problem, named by file and document.
class report {
public:
  void fail(const document& d, const std::string& what);
  void fail(const std::filesystem::path& file, const std::string& what);
  const std::vector<std::string>& problems() const { return problems_; }

private:
  std::vector<std::string> problems_;
};

// -- YAML helpers ---------------------------------------------------------------------------

/// The child `key` of a map, or an undefined node when `node` is not a map or lacks the key
/// (yaml-cpp throws when a scalar is subscripted).
YAML::Node child(const YAML::Node& node, const std::string& key);
/// Follows a path of map keys.
YAML::Node at(const YAML::Node& node, std::initializer_list<const char*> path);
/// The text of a scalar, or empty.
std::string text(const YAML::Node& node);
/// The integer value of a scalar, if it is one.
std::optional<int> integer(const YAML::Node& node);
bool is_true(const YAML::Node& node);

// -- rules ----------------------------------------------------------------------------------

/// deploy/compose.yaml: the service, its build, ports, key, volume, health check and restarts.
void check_compose(const document& d, report& r);

/// deploy/kubernetes/: each document on its own and the references between them.
/// ConfigMap entries named *.yaml are written into `config_out` when it is set, so the caller
/// can load them with the real `sage`.
void check_kubernetes(const std::vector<document>& docs, report& r,
                      const std::optional<std::filesystem::path>& config_out);

} // namespace sage::tests::deploy
