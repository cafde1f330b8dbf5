// Health of a running engine and what it depends on.
// SPDX-License-Identifier: MIT
#include "services/ops/health.hpp"

#include "services/ops/db_check.hpp"

#include "actors/memory_store.hpp"

#include "core/index_cache.hpp"
#include "core/kb_loader.hpp"
#include "core/timestamp.hpp"

#include <caf/scoped_actor.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

health_status worst(health_status a, health_status b) {
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

void set(component_health& c, health_status status, std::string message) {
  c.status = status;
  c.message = std::move(message);
}

/// A child of the node by name, or an invalid handle when it is not running.
caf::actor child_of(caf::scoped_actor& self, actors::engine& engine, const std::string& name) {
  caf::actor out;
  self->request(engine.node(), health_call_timeout, actors::atom::worker_v, name)
      .receive([&](caf::actor& a) { out = std::move(a); }, [](caf::error&) {});
  return out;
}

component_health check_core(const health_target& t) {
  component_health c;
  if (!t.engine) {
    set(c, health_status::unhealthy, "engine not started: " + t.engine_error);
    return c;
  }
  auto& engine = *t.engine;
  caf::scoped_actor self{engine.system()};
  const auto waited = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(health_call_timeout).count());

  std::optional<std::vector<actors::child_status>> children;
  self->request(engine.node(), health_call_timeout, actors::atom::children_v)
      .receive([&](std::vector<actors::child_status>& list) { children = std::move(list); },
               [](caf::error&) {});
  if (!children) {
    set(c, health_status::unhealthy, "the engine's node did not answer within " + waited + " ms");
    return c;
  }
  auto list = nlohmann::json::array();
  std::vector<std::string> down;
  uint32_t restarts = 0;
  for (const auto& child : *children) {
    list.push_back(
        {{"name", child.name}, {"running", child.running}, {"restarts", child.restarts}});
    restarts += child.restarts;
    if (!child.running) down.push_back(child.name);
  }
  c.details["actors"] = list;
  c.details["restarts"] = restarts;

  std::optional<uint64_t> generation;
  if (auto loader = child_of(self, engine, "loader"))
    self->request(caf::actor_cast<actors::loader_actor>(loader), health_call_timeout,
                  actors::atom::stats_v)
        .receive([&](uint64_t g) { generation = g; }, [](caf::error&) {});
  std::optional<actors::supervisor_stats> stats;
  if (auto supervisor = child_of(self, engine, "timeout_supervisor"))
    self->request(caf::actor_cast<actors::timeout_supervisor_actor>(supervisor),
                  health_call_timeout, actors::atom::stats_v)
        .receive([&](actors::supervisor_stats& s) { stats = std::move(s); }, [](caf::error&) {});
  std::vector<std::string> open;
  if (stats) {
    auto breakers = nlohmann::json::array();
    for (const auto& b : stats->breakers) {
      breakers.push_back({{"operation", b.operation}, {"state", b.state}});
      if (b.state != "closed") open.push_back(b.operation);
    }
    c.details["requests"] = {{"total", stats->requests},     {"succeeded", stats->succeeded},
                             {"failed", stats->failed},      {"partial", stats->partial},
                             {"fallback", stats->fallback},  {"refused", stats->refused},
                             {"in_flight", stats->in_flight}};
    c.details["breakers"] = breakers;
  }
  if (generation) c.details["generation"] = *generation;

  auto join = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
      out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  if (!generation || !stats)
    set(c, health_status::unhealthy,
        std::string("the engine's ") + (!generation ? "loader" : "timeout supervisor") +
            " did not answer within " + waited + " ms");
  else if (!down.empty())
    set(c, health_status::degraded, "restarting: " + join(down));
  else if (!open.empty())
    set(c, health_status::degraded, "circuit breaker open for " + join(open));
  else
    set(c, health_status::healthy,
        std::to_string(children->size()) + " actors running, " + std::to_string(restarts) +
            " restarts");
  return c;
}

/// Creates and removes a file in `dir`: the only sure test that the cache can be written.
std::optional<std::string> write_probe(const fs::path& dir) {
  auto probe = dir / (".health-" + std::to_string(::getpid()) + "-" +
                      std::to_string(clock_type::now().time_since_epoch().count()));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::string(std::strerror(errno));
  bool wrote = ::write(fd, "x", 1) == 1;
  int err = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!wrote) return std::string(std::strerror(err));
  return std::nullopt;
}

component_health check_cache(const health_target& t) {
  component_health c;
  if (!t.cfg.cache_enabled) {
    c.details["enabled"] = false;
    set(c, health_status::healthy, "disabled (cache.enabled: false)");
    return c;
  }
  fs::path dir = t.cfg.cache_dir;
  c.details["enabled"] = true;
  c.details["dir"] = dir.string();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      set(c, health_status::degraded,
          "cache folder " + dir.string() + " cannot be created: " + ec.message() +
              "; every load parses the whole knowledge base");
      return c;
    }
  }
  if (auto why = write_probe(dir)) {
    set(c, health_status::degraded,
        "cache folder " + dir.string() + " is not writable: " + *why +
            "; every load parses the whole knowledge base");
    return c;
  }
  std::shared_ptr<const core::knowledge_base> kb;
  if (t.engine) kb = t.engine->context()->snapshot.load();
  fs::path root = kb ? kb->root : fs::weakly_canonical(core::configured_kb_root(t.cfg), ec);
  auto file = core::cache_file_for(dir, root);
  c.details["file"] = file.string();
  auto size = fs::file_size(file, ec);
  c.details["file_exists"] = !ec;
  if (!ec) c.details["bytes"] = size;
  if (kb) c.details["snapshot_files_from_cache"] = kb->stats.files_from_cache;
  set(c, health_status::healthy,
      ec ? "writable; no index cache file yet"
         : "writable; index cache " + std::to_string(size / 1024) + " KiB");
  return c;
}

component_health check_knowledge(const health_target& t) {
  component_health c;
  if (!t.engine) {
    set(c, health_status::unhealthy, "no knowledge base loaded: " + t.engine_error);
    return c;
  }
  auto kb = t.engine->context()->snapshot.load();
  c.details["root"] = kb->root.string();
  c.details["documents"] = kb->documents.size();
  c.details["generation"] = kb->stamp.generation;
  c.details["built_at"] = kb->stamp.built_at;
  c.details["problems"] = kb->problems.size();
  std::optional<loader_failure> failure;
  if (t.loader) failure = t.loader->last_failure();
  if (failure)
    c.details["last_error"] = {{"error", failure->error}, {"generation", failure->generation}};
  std::error_code ec;
  auto served = "generation " + std::to_string(kb->stamp.generation);
  if (kb->documents.empty())
    set(c, health_status::unhealthy, "no documents in " + kb->root.string());
  else if (!fs::is_directory(kb->root, ec))
    set(c, health_status::degraded,
        "knowledge base root " + kb->root.string() + " is gone; still serving " + served);
  else if (failure)
    set(c, health_status::degraded,
        "the last rebuild failed: " + failure->error + "; still serving " + served);
  else
    set(c, health_status::healthy, std::to_string(kb->documents.size()) + " documents, " + served);
  return c;
}

/// The nearest folder on the way to `path` that exists: where a missing database would be
/// created (its missing folders included).
fs::path nearest_existing(fs::path path) {
  std::error_code ec;
  while (!path.empty() && !fs::exists(path, ec) && path.has_parent_path() &&
         path.parent_path() != path)
    path = path.parent_path();
  return path;
}

component_health check_memory(const health_target& t) {
  component_health c;
  auto path = actors::memory_db_path(t.cfg);
  auto report = check_database(path, db_depth::quick);
  c.details = report.details;
  if (!report.ok()) {
    set(c, health_status::unhealthy, report.problems.front().message);
    c.details["hint"] = report.problems.front().hint;
    return c;
  }
  if (!report.details.value("exists", false)) {
    auto folder = nearest_existing(path.parent_path());
    if (::access(folder.c_str(), W_OK) != 0) {
      set(c, health_status::unhealthy,
          "the memory database cannot be created: " + folder.string() + " is not writable");
      return c;
    }
    set(c, health_status::healthy, "not created yet (it is created on first use)");
    return c;
  }
  if (!report.notes.empty()) c.details["notes"] = report.notes;
  set(c, health_status::healthy, report.summary);
  return c;
}

template <class Check> component_health timed(Check check, const health_target& t) {
  auto start = clock_type::now();
  auto c = check(t);
  c.duration_ms = ms_since(start);
  return c;
}

nlohmann::json to_json(const component_health& c) {
  auto out = c.details;
  out["status"] = to_string(c.status);
  out["message"] = c.message;
  out["duration_ms"] = c.duration_ms;
  return out;
}

} // namespace

const char* to_string(health_status s) {
  switch (s) {
  case health_status::healthy:
    return "healthy";
  case health_status::degraded:
    return "degraded";
  case health_status::unhealthy:
    return "unhealthy";
  }
  return "unhealthy";
}

health_report check_health(const health_target& target) {
  auto start = clock_type::now();
  health_report r;
  r.version = SAGE_VERSION;
  r.checked_at = core::now_timestamp();
  r.core = timed(check_core, target);
  r.cache = timed(check_cache, target);
  r.knowledge = timed(check_knowledge, target);
  r.memory = timed(check_memory, target);
  for (const auto* c : {&r.core, &r.cache, &r.knowledge, &r.memory})
    r.status = worst(r.status, c->status);
  r.duration_ms = ms_since(start);
  return r;
}

nlohmann::json to_json(const health_report& r, health_detail detail) {
  nlohmann::json out = {{"status", to_string(r.status)},
                        {"version", r.version},
                        {"components",
                         {{"core", to_string(r.core.status)},
                          {"cache", to_string(r.cache.status)},
                          {"knowledge", to_string(r.knowledge.status)},
                          {"memory", to_string(r.memory.status)}}},
                        {"checked_at", r.checked_at},
                        {"duration_ms", r.duration_ms}};
  if (detail == health_detail::full)
    out["checks"] = {{"core", to_json(r.core)},
                     {"cache", to_json(r.cache)},
                     {"knowledge", to_json(r.knowledge)},
                     {"memory", to_json(r.memory)}};
  return out;
}

} // namespace sage::services::ops
