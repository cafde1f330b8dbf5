// The process's logs: spdlog loggers on stderr, as readable lines or as JSON lines, with
// structured context fields.
// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/spdlog.h>
#include <string_view>

namespace sage::services::telemetry {

enum class log_format { console, json };

/// The logger of the engine and the commands (the default logger).
inline constexpr const char* main_logger = "sage";
/// One line per HTTP request answered.
inline constexpr const char* access_logger = "access";

/// Creates the loggers (`sage`, the default, and `access`) on one stderr sink, so their lines
/// never interleave, in `format` at `level`. Logs never go to stdout: it carries results, or
/// the MCP protocol under `sage mcp`. Calling it again switches format and level in place;
/// do that before other threads log, as a line being written may still use the old format.
void setup_logging(log_format format, spdlog::level::level_enum level);

/// `console` or `json` (logging.format); nothing for anything else.
std::optional<log_format> parse_log_format(std::string_view text);

/// TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL in any case (logging.level); nothing for
/// anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

/// The logger for access lines (created by `setup_logging`; the default logger before that).
spdlog::logger& access_log();

/// Logs `message` with `context` (a JSON object): in JSON lines it is the line's `context`
/// object, on the console it follows the message as ` key=value` pairs. The message is taken
/// as it is, never as a format string.
void log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view message,
         const nlohmann::ordered_json& context);

/// `log` on the default logger.
void log(spdlog::level::level_enum level, std::string_view message,
         const nlohmann::ordered_json& context);

} // namespace sage::services::telemetry
