// `sage health`: the health checks of GET /health, as a table or JSON.
// SPDX-License-Identifier: MIT
#include "services/cli/ops_commands.hpp"

#include "services/ops/health.hpp"

#include <cstdio>
#include <iostream>

namespace sage::services::cli {

int run_health(session& s, const output& out) {
  // A configuration that does not load is a usage error, as for every command; a knowledge
  // base that does not load is what health reports.
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  auto rt = s.open();
  ops::health_target target{rt ? (*rt)->cfg : *cfg, rt ? (*rt)->engine.get() : nullptr,
                            rt ? std::string() : rt.err().message, nullptr};
  auto report = ops::check_health(target);
  int code = report.status == ops::health_status::unhealthy ? unhealthy : ok;
  if (out.json()) {
    out.print_json(ops::to_json(report));
    return code;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, c] :
       {std::pair{"core", &report.core}, std::pair{"cache", &report.cache},
        std::pair{"knowledge", &report.knowledge}, std::pair{"memory", &report.memory}})
    rows.push_back({name, ops::to_string(c->status), c->message});
  out.table({"component", "status", "details"}, rows);
  char took[32];
  std::snprintf(took, sizeof took, "%.0f ms", report.duration_ms);
  std::string overall = ops::to_string(report.status);
  if (report.status != ops::health_status::healthy) overall = out.bold(overall);
  std::cout << "sage " << report.version << ": " << overall << " (" << took << ")\n";
  return code;
}

} // namespace sage::services::cli
