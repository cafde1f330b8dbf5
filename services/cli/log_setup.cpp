// The CLI's logging setup.
// SPDX-License-Identifier: MIT
#include "services/cli/log_setup.hpp"

#include "services/telemetry/logging.hpp"

namespace sage::services::cli {
namespace {

/// The level the flags ask for, else the default of the kind of command.
spdlog::level::level_enum flag_level(const global_options& g, bool long_running) {
  if (g.verbose) return spdlog::level::debug;
  if (g.quiet) return spdlog::level::err;
  return long_running ? spdlog::level::info : spdlog::level::warn;
}

} // namespace

void start_logging(const global_options& g, bool long_running) {
  telemetry::setup_logging(telemetry::log_format::console, flag_level(g, long_running));
}

void apply_logging_config(const core::config& cfg, const global_options& g, bool long_running) {
  auto level = flag_level(g, long_running);
  auto source = cfg.sources.find("logging.level");
  bool configured = source != cfg.sources.end() && source->second != "default";
  if (!g.verbose && !g.quiet && configured)
    level = telemetry::parse_log_level(cfg.log_level).value_or(level);
  // The configuration was validated: anything but json is console.
  auto format =
      telemetry::parse_log_format(cfg.log_format).value_or(telemetry::log_format::console);
  telemetry::setup_logging(format, level);
}

} // namespace sage::services::cli
