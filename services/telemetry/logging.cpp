// Logging setup and the two line formats.
// SPDX-License-Identifier: MIT
#include "services/telemetry/logging.hpp"

#include "core/timestamp.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <string>

namespace sage::services::telemetry {
namespace {

/// The context of the line being logged on this thread, set by `log` around the call: spdlog's
/// synchronous loggers format on the calling thread, so the formatter finds it here.
thread_local const nlohmann::ordered_json* current_context = nullptr;

struct context_scope {
  explicit context_scope(const nlohmann::ordered_json& c) { current_context = &c; }
  ~context_scope() { current_context = nullptr; }
  context_scope(const context_scope&) = delete;
  context_scope& operator=(const context_scope&) = delete;
};

std::string_view view(spdlog::string_view_t s) {
  return {s.data(), s.size()};
}

/// Invalid UTF-8 in a message (a file name, a client's input) is replaced, never thrown on.
std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::trace:
    return "TRACE";
  case spdlog::level::debug:
    return "DEBUG";
  case spdlog::level::info:
    return "INFO";
  case spdlog::level::warn:
    return "WARNING";
  case spdlog::level::err:
    return "ERROR";
  case spdlog::level::critical:
    return "CRITICAL";
  default:
    return "OFF";
  }
}

/// {"timestamp","level","logger","message","context"} per line (RFC 3339 UTC with ms).
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line{
        {"timestamp", core::format_timestamp(msg.time)},
        {"level", level_name(msg.level)},
        {"logger", view(msg.logger_name)},
        {"message", view(msg.payload)},
        {"context", current_context && current_context->is_object()
                        ? *current_context
                        : nlohmann::ordered_json::object()},
    };
    auto text = dump(line);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

/// ` key=value` pairs; strings bare unless they need quotes to be read back.
std::string console_fields(const nlohmann::ordered_json& context) {
  std::string out;
  for (const auto& [key, value] : context.items()) {
    out += ' ';
    out += key;
    out += '=';
    if (value.is_string()) {
      const auto& s = value.get_ref<const std::string&>();
      bool bare = !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '=';
      });
      out += bare ? s : dump(value);
    } else {
      out += dump(value);
    }
  }
  return out;
}

/// spdlog's own pattern, unchanged, with the context after the message.
class console_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    if (!current_context || !current_context->is_object() || current_context->empty()) {
      inner_.format(msg, dest);
      return;
    }
    std::string text(view(msg.payload));
    text += console_fields(*current_context);
    auto with_fields = msg;
    with_fields.payload = text;
    inner_.format(with_fields, dest);
    // The colour sink reads the range of the level name from the message it passed in.
    msg.color_range_start = with_fields.color_range_start;
    msg.color_range_end = with_fields.color_range_end;
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<console_formatter>();
  }

private:
  spdlog::pattern_formatter inner_;
};

/// One sink for every logger of the process: lines of different loggers never interleave.
const std::shared_ptr<spdlog::sinks::stderr_color_sink_mt>& stderr_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

void setup_logging(log_format format, spdlog::level::level_enum level) {
  const auto& sink = stderr_sink();
  for (const char* name : {main_logger, access_logger}) {
    auto logger = spdlog::get(name);
    if (!logger) {
      logger = std::make_shared<spdlog::logger>(name, sink);
      spdlog::register_logger(logger);
    }
    logger->set_level(level);
  }
  spdlog::set_default_logger(spdlog::get(main_logger));
  if (format == log_format::json)
    sink->set_formatter(std::make_unique<json_formatter>());
  else
    sink->set_formatter(std::make_unique<console_formatter>());
}

std::optional<log_format> parse_log_format(std::string_view text) {
  auto t = upper(text);
  if (t == "CONSOLE") return log_format::console;
  if (t == "JSON") return log_format::json;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  auto t = upper(text);
  if (t == "TRACE") return spdlog::level::trace;
  if (t == "DEBUG") return spdlog::level::debug;
  if (t == "INFO") return spdlog::level::info;
  if (t == "WARNING") return spdlog::level::warn;
  if (t == "ERROR") return spdlog::level::err;
  if (t == "CRITICAL") return spdlog::level::critical;
  return std::nullopt;
}

spdlog::logger& access_log() {
  auto logger = spdlog::get(access_logger);
  return logger ? *logger : *spdlog::default_logger_raw();
}

void log(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view message,
         const nlohmann::ordered_json& context) {
  if (!logger.should_log(level)) return;
  context_scope scope(context);
  logger.log(level, spdlog::string_view_t(message.data(), message.size()));
}

void log(spdlog::level::level_enum level, std::string_view message,
         const nlohmann::ordered_json& context) {
  log(*spdlog::default_logger_raw(), level, message, context);
}

} // namespace sage::services::telemetry
