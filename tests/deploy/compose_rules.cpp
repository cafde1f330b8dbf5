// Rules for deploy/compose.yaml: what `docker compose up` needs to run `sage serve` safely.
// SPDX-License-Identifier: MIT
#include "manifest_rules.hpp"

#include <set>

namespace sage::tests::deploy {
namespace {

/// The container side of a port entry: "8000:8000", "127.0.0.1:8000:8000/tcp" or the long
/// syntax {target: 8000, published: 8000}.
std::optional<int> container_port(const YAML::Node& entry) {
  if (entry.IsMap()) return integer(child(entry, "target"));
  auto spec = text(entry);
  spec = spec.substr(0, spec.find('/'));
  auto colon = spec.rfind(':');
  try {
    return std::stoi(colon == std::string::npos ? spec : spec.substr(colon + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// The value given to a variable in `environment`, a map or a list of NAME=value.
std::optional<std::string> environment_value(const YAML::Node& env, const std::string& name) {
  if (env.IsMap()) {
    if (auto v = child(env, name)) return text(v);
    return std::nullopt;
  }
  for (const auto& item : env) {
    auto line = text(item);
    if (line == name) return std::string{};
    if (line.starts_with(name + "=")) return line.substr(name.size() + 1);
  }
  return std::nullopt;
}

void check_service(const document& d, const YAML::Node& svc, const YAML::Node& top, report& r) {
  auto context = text(at(svc, {"build", "context"}));
  auto dockerfile = text(at(svc, {"build", "dockerfile"}));
  if (context.empty() || dockerfile.empty())
    r.fail(d, "services.sage.build needs context and dockerfile");
  else if (!std::filesystem::exists(d.file.parent_path() / context / dockerfile))
    r.fail(d, "services.sage.build names a Dockerfile that does not exist: " + context + "/" +
                  dockerfile);

  std::set<int> ports;
  for (const auto& p : child(svc, "ports"))
    if (auto port = container_port(p)) ports.insert(*port);
  for (int want : {api_port, mcp_port, metrics_port})
    if (!ports.contains(want))
      r.fail(d, "services.sage.ports lacks container port " + std::to_string(want));

  // The key must come from the operator: a literal value would ship a shared secret.
  auto key = environment_value(child(svc, "environment"), "SAGE_API_KEY");
  if (!key)
    r.fail(d, "services.sage.environment lacks SAGE_API_KEY (serve refuses a non-loopback host "
              "without it)");
  else if (!key->starts_with("${SAGE_API_KEY:?"))
    r.fail(d, "SAGE_API_KEY must be required from the environment as ${SAGE_API_KEY:?message}, "
              "got " +
                  *key);

  bool data_volume = false;
  for (const auto& v : child(svc, "volumes")) {
    auto spec = text(v);
    auto colon = spec.find(':');
    if (colon == std::string::npos || spec.substr(colon + 1) != "/var/lib/sage") continue;
    data_volume = true;
    if (!child(child(top, "volumes"), spec.substr(0, colon)))
      r.fail(d, "volume " + spec.substr(0, colon) + " is not declared under volumes");
  }
  if (!data_volume)
    r.fail(d, "services.sage.volumes mounts nothing at /var/lib/sage (SAGE_DATA_DIR)");

  bool runs_health = false;
  for (const auto& word : at(svc, {"healthcheck", "test"}))
    runs_health = runs_health || text(word) == "health";
  if (!runs_health) r.fail(d, "services.sage.healthcheck.test must run `sage health`");

  static const std::set<std::string> restarts{"always", "unless-stopped", "on-failure"};
  if (!restarts.contains(text(child(svc, "restart"))))
    r.fail(d, "services.sage.restart must be always, unless-stopped or on-failure");

  if (text(child(svc, "stop_grace_period")) != std::to_string(stop_grace_seconds) + "s")
    r.fail(d, "services.sage.stop_grace_period must be " + std::to_string(stop_grace_seconds) +
                  "s, the time a drain may take");

  auto user = text(child(svc, "user"));
  if (user == "root" || user == "0" || user.starts_with("0:"))
    r.fail(d, "services.sage.user must not be root");

  if (is_true(child(svc, "read_only"))) {
    bool tmp = false;
    for (const auto& t : child(svc, "tmpfs"))
      tmp = tmp || text(t) == "/tmp";
    if (!tmp) r.fail(d, "a read-only service needs a tmpfs at /tmp for SQLite's temporary files");
  }
}

} // namespace

void check_compose(const document& d, report& r) {
  auto svc = at(d.node, {"services", "sage"});
  if (!svc || !svc.IsMap()) {
    r.fail(d, "no services.sage");
    return;
  }
  check_service(d, svc, d.node, r);
}

} // namespace sage::tests::deploy
