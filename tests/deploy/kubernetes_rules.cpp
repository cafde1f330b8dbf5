// Rules for deploy/kubernetes/: a non-root, read-only `sage serve` pod with probes on /health,
// its Service, ConfigMap, volume claim and kustomization, and the references between them.
// SPDX-License-Identifier: MIT
#include "manifest_rules.hpp"

#include <fstream>
#include <map>
#include <set>

namespace sage::tests::deploy {
namespace {

namespace fs = std::filesystem;

/// The documents of each kind, by metadata.name.
using inventory = std::map<std::string, std::map<std::string, const document*>>;

/// A port given as a number or as the name of a container port.
std::optional<int> resolve_port(const YAML::Node& port, const std::map<std::string, int>& named) {
  if (auto number = integer(port)) return number;
  auto it = named.find(text(port));
  return it == named.end() ? std::nullopt : std::optional<int>(it->second);
}

std::optional<std::string> env_value(const YAML::Node& container, const std::string& name) {
  for (const auto& e : child(container, "env"))
    if (text(child(e, "name")) == name) return text(child(e, "value"));
  return std::nullopt;
}

/// True when `path` is `mount` or lies below it.
bool is_under(const std::string& path, const std::string& mount) {
  return path == mount || path.starts_with(mount.ends_with('/') ? mount : mount + "/");
}

void check_probe(const document& d, const YAML::Node& container, const char* probe,
                 const std::map<std::string, int>& ports, report& r) {
  auto get = at(container, {probe, "httpGet"});
  if (!get) {
    r.fail(d, std::string(probe) + " must be an httpGet probe");
    return;
  }
  if (text(child(get, "path")) != "/health")
    r.fail(d, std::string(probe) + " must ask GET /health, not " + text(child(get, "path")));
  if (resolve_port(child(get, "port"), ports) != api_port)
    r.fail(d, std::string(probe) + " must reach the API port " + std::to_string(api_port));
}

/// The paths `sage` writes (data, cache, SQLite temporaries) must be writable volumes, since
/// the root filesystem is read-only.
void check_writable_paths(const document& d, const YAML::Node& pod, const YAML::Node& container,
                          report& r) {
  std::set<std::string> claims; // volumes backed by a PersistentVolumeClaim
  for (const auto& v : child(pod, "volumes"))
    if (child(v, "persistentVolumeClaim")) claims.insert(text(child(v, "name")));

  auto data_dir = env_value(container, "SAGE_DATA_DIR").value_or("/var/lib/sage");
  auto cache_dir = env_value(container, "SAGE_CACHE_DIR").value_or(data_dir + "/cache");
  for (const auto& path : {data_dir, cache_dir, std::string("/tmp")}) {
    // The deepest mount holding the path is the one that decides.
    std::string volume, mount_path;
    bool read_only = true;
    for (const auto& m : child(container, "volumeMounts")) {
      auto candidate = text(child(m, "mountPath"));
      if (!is_under(path, candidate) || candidate.size() < mount_path.size()) continue;
      mount_path = candidate;
      volume = text(child(m, "name"));
      read_only = is_true(child(m, "readOnly"));
    }
    if (read_only) {
      r.fail(d, "nothing writable is mounted at " + path + " (the root filesystem is read-only)");
      continue;
    }
    if (path == data_dir && !claims.contains(volume))
      r.fail(d, "the data folder " + path + " must be a PersistentVolumeClaim, or memory is lost");
  }
}

void check_container(const document& d, const YAML::Node& pod, const YAML::Node& container,
                     report& r) {
  std::map<std::string, int> ports;
  std::set<int> numbers;
  for (const auto& p : child(container, "ports"))
    if (auto n = integer(child(p, "containerPort"))) {
      numbers.insert(*n);
      if (auto name = text(child(p, "name")); !name.empty()) ports[name] = *n;
    }
  for (int want : {api_port, mcp_port, metrics_port})
    if (!numbers.contains(want)) r.fail(d, "container lacks port " + std::to_string(want));

  bool serves = false;
  for (const auto& word : child(container, "command"))
    serves = serves || text(word) == "serve";
  for (const auto& word : child(container, "args"))
    serves = serves || text(word) == "serve";
  if (!serves) r.fail(d, "container must run `sage serve`");

  auto sc = child(container, "securityContext");
  if (!is_true(child(sc, "readOnlyRootFilesystem")))
    r.fail(d, "container securityContext.readOnlyRootFilesystem must be true");
  if (text(child(sc, "allowPrivilegeEscalation")) != "false")
    r.fail(d, "container securityContext.allowPrivilegeEscalation must be false");
  auto pod_sc = child(pod, "securityContext");
  bool non_root = is_true(child(sc, "runAsNonRoot")) || is_true(child(pod_sc, "runAsNonRoot"));
  auto uid = integer(child(sc, "runAsUser"));
  if (!uid) uid = integer(child(pod_sc, "runAsUser"));
  if (!non_root || uid.value_or(0) == 0)
    r.fail(d, "the pod must run as non-root: runAsNonRoot true and a runAsUser other than 0");

  for (const char* kind : {"requests", "limits"})
    for (const char* resource : {"cpu", "memory"})
      if (text(at(container, {"resources", kind, resource})).empty())
        r.fail(d, std::string("container lacks resources.") + kind + "." + resource);

  check_probe(d, container, "livenessProbe", ports, r);
  check_probe(d, container, "readinessProbe", ports, r);

  // The key must come from a Secret: a literal value in a manifest is a leaked secret.
  bool key_from_secret = false;
  for (const auto& e : child(container, "env"))
    if (text(child(e, "name")) == "SAGE_API_KEY")
      key_from_secret = !child(e, "value") &&
                        !text(at(e, {"valueFrom", "secretKeyRef", "name"})).empty() &&
                        !text(at(e, {"valueFrom", "secretKeyRef", "key"})).empty();
  if (!key_from_secret) r.fail(d, "SAGE_API_KEY must come from a secretKeyRef");

  check_writable_paths(d, pod, container, r);
}

void check_deployment(const document& d, const inventory& all, report& r) {
  auto pod = at(d.node, {"spec", "template", "spec"});
  auto labels = at(d.node, {"spec", "template", "metadata", "labels"});
  for (const auto& kv : at(d.node, {"spec", "selector", "matchLabels"}))
    if (text(child(labels, kv.first.Scalar())) != text(kv.second))
      r.fail(d, "selector label " + kv.first.Scalar() + " is not on the pod template");

  auto containers = child(pod, "containers");
  if (!containers.IsSequence() || containers.size() != 1)
    r.fail(d, "expected one container, `sage`");
  else
    check_container(d, pod, containers[0], r);

  if (integer(child(pod, "terminationGracePeriodSeconds")) != stop_grace_seconds)
    r.fail(d, "terminationGracePeriodSeconds must be " + std::to_string(stop_grace_seconds) +
                  ", the time a drain may take");

  auto refers = [&](const char* kind, const YAML::Node& name) {
    auto of_kind = all.find(kind);
    if (of_kind == all.end() || !of_kind->second.contains(text(name)))
      r.fail(d, "volume refers to " + std::string(kind) + " " + text(name) +
                    ", which no manifest defines");
  };
  for (const auto& v : child(pod, "volumes")) {
    if (auto cm = child(v, "configMap")) refers("ConfigMap", child(cm, "name"));
    if (auto pvc = child(v, "persistentVolumeClaim"))
      refers("PersistentVolumeClaim", child(pvc, "claimName"));
  }
}

void check_service(const document& d, const document& deployment, report& r) {
  std::map<std::string, int> named;
  for (const auto& c : at(deployment.node, {"spec", "template", "spec", "containers"}))
    for (const auto& p : child(c, "ports"))
      if (auto n = integer(child(p, "containerPort"))) named[text(child(p, "name"))] = *n;

  std::set<int> ports;
  for (const auto& p : at(d.node, {"spec", "ports"})) {
    auto port = integer(child(p, "port"));
    if (!port) continue;
    ports.insert(*port);
    auto target = child(p, "targetPort") ? resolve_port(child(p, "targetPort"), named) : port;
    if (target != port)
      r.fail(d, "service port " + std::to_string(*port) + " must lead to container port " +
                    std::to_string(*port));
  }
  for (int want : {api_port, mcp_port, metrics_port})
    if (!ports.contains(want)) r.fail(d, "service lacks port " + std::to_string(want));

  auto selector = at(d.node, {"spec", "selector"});
  auto labels = at(deployment.node, {"spec", "template", "metadata", "labels"});
  if (!selector || selector.size() == 0) r.fail(d, "service has no selector");
  for (const auto& kv : selector)
    if (text(child(labels, kv.first.Scalar())) != text(kv.second))
      r.fail(d, "service selector " + kv.first.Scalar() + " matches no label of the pod template");
}

void check_config_map(const document& d, const std::optional<fs::path>& config_out, report& r) {
  for (const auto& kv : child(d.node, "data")) {
    auto key = kv.first.Scalar();
    if (!key.ends_with(".yaml")) continue;
    try {
      auto parsed = YAML::Load(text(kv.second));
      if (!parsed.IsMap()) r.fail(d, "data." + key + " is not a YAML map");
    } catch (const YAML::Exception& e) {
      r.fail(d, "data." + key + " is not valid YAML: " + e.what());
      continue;
    }
    if (config_out) std::ofstream(*config_out / key) << text(kv.second);
  }
}

/// Every manifest of the folder is listed in kustomization.yaml and every listed file exists.
void check_kustomization(const document& d, const std::vector<document>& docs, report& r) {
  std::set<fs::path> listed;
  for (const auto& res : child(d.node, "resources")) {
    auto path = d.file.parent_path() / text(res);
    if (!fs::exists(path)) r.fail(d, "resource " + text(res) + " does not exist");
    listed.insert(fs::weakly_canonical(path));
  }
  for (const auto& other : docs)
    if (other.file != d.file && !listed.contains(fs::weakly_canonical(other.file)))
      r.fail(d, "resources does not list " + other.file.filename().string());
}

} // namespace

void check_kubernetes(const std::vector<document>& docs, report& r,
                      const std::optional<fs::path>& config_out) {
  inventory all;
  for (const auto& d : docs) {
    auto kind = text(child(d.node, "kind"));
    if (text(child(d.node, "apiVersion")).empty() || kind.empty()) {
      r.fail(d, "a Kubernetes manifest needs apiVersion and kind");
      continue;
    }
    auto name = text(at(d.node, {"metadata", "name"}));
    if (name.empty() && kind != "Kustomization") r.fail(d, kind + " lacks metadata.name");
    all[kind][name] = &d;
  }

  const document* deployment = nullptr;
  if (all["Deployment"].size() != 1)
    r.fail(docs.empty() ? fs::path("kubernetes") : docs.front().file.parent_path(),
           "expected exactly one Deployment");
  else
    deployment = all["Deployment"].begin()->second;

  for (const auto& d : docs) {
    auto kind = text(child(d.node, "kind"));
    if (kind == "Deployment") check_deployment(d, all, r);
    if (kind == "Service" && deployment) check_service(d, *deployment, r);
    if (kind == "ConfigMap") check_config_map(d, config_out, r);
    if (kind == "Kustomization") check_kustomization(d, docs, r);
  }
  for (const char* kind : {"Service", "ConfigMap", "PersistentVolumeClaim"})
    if (all[kind].empty())
      r.fail(docs.empty() ? fs::path("kubernetes") : docs.front().file.parent_path(),
             std::string("no ") + kind);
}

} // namespace sage::tests::deploy
