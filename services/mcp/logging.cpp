// `logging/setLevel` and the stored level (per session, and the last one for the server).
// SPDX-License-Identifier: MIT
#include "services/mcp/logging.hpp"

#include <array>

namespace sage::services::mcp {
namespace {

constexpr std::array<std::string_view, 8> level_names{"debug", "info",     "notice", "warning",
                                                      "error", "critical", "alert",  "emergency"};

} // namespace

std::string_view to_string(log_level level) {
  return level_names.at(static_cast<size_t>(level));
}

std::optional<log_level> parse_log_level(std::string_view text) {
  for (size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == text) return static_cast<log_level>(i);
  return std::nullopt;
}

void log_settings::set(log_level level) {
  std::lock_guard lock{mutex_};
  level_ = level;
}

std::optional<log_level> log_settings::level() const {
  std::lock_guard lock{mutex_};
  return level_;
}

std::shared_ptr<const log_settings> register_logging(server& srv) {
  auto settings = std::make_shared<log_settings>();
  srv.register_method(
      "logging/setLevel",
      [settings](const nlohmann::json& params, request_context& ctx) -> handler_result {
        std::optional<log_level> level;
        if (params.contains("level") && params["level"].is_string())
          level = parse_log_level(params["level"].get<std::string>());
        if (!level)
          return make_error(error_code::invalid_params,
                            "invalid logging/setLevel params: level must be one of debug, info, "
                            "notice, warning, error, critical, alert, emergency",
                            nlohmann::json{{"field", "level"}});
        if (auto notifier = ctx.notifier()) notifier->set_log_level(*level);
        settings->set(*level);
        return nlohmann::json::object();
      });
  return settings;
}

} // namespace sage::services::mcp
