// The method table, capability assembly and version negotiation of the MCP server.
// SPDX-License-Identifier: MIT
#include "services/mcp/server.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sage::services::mcp {

namespace {

/// Names the session answers itself.
constexpr std::array<std::string_view, 3> lifecycle_names{"initialize", "ping",
                                                          "notifications/initialized"};

/// Method-name prefixes and the server capability their presence implies.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> implied_capabilities{{
    {"tools/", "tools"},
    {"resources/", "resources"},
    {"prompts/", "prompts"},
    {"logging/", "logging"},
    {"completion/", "completions"},
    {"tasks/", "tasks"},
}};

} // namespace

std::string_view negotiate_protocol_version(std::string_view requested) {
  auto found =
      std::find(supported_protocol_versions.begin(), supported_protocol_versions.end(), requested);
  return found != supported_protocol_versions.end() ? *found : latest_protocol_version;
}

server_identity default_identity() {
  return server_identity{
      .name = "sage",
      .title = "SAGE knowledge engine",
      .version = SAGE_VERSION,
      .instructions = "SAGE serves a curated knowledge base, a working memory and token budgets "
                      "for coding tasks. Use what it lists as tools, resources and prompts, and "
                      "ask for no more context than the task needs.",
  };
}

server::server(server_identity identity) : identity_(std::move(identity)) {}

void server::check_name(const std::string& name) const {
  if (name.empty())
    throw std::invalid_argument("failed to register MCP handler: the name is empty");
  if (std::find(lifecycle_names.begin(), lifecycle_names.end(), name) != lifecycle_names.end())
    throw std::invalid_argument("failed to register MCP handler: " + name +
                                " belongs to the session lifecycle");
  if (methods_.contains(name) || notifications_.contains(name))
    throw std::invalid_argument("failed to register MCP handler: " + name +
                                " is already registered");
}

void server::register_method(std::string name, method_handler handler) {
  check_name(name);
  if (!handler)
    throw std::invalid_argument("failed to register MCP handler: " + name + " has no handler");
  methods_.emplace(std::move(name), std::move(handler));
}

void server::register_notification(std::string name, notification_handler handler) {
  check_name(name);
  if (!handler)
    throw std::invalid_argument("failed to register MCP handler: " + name + " has no handler");
  notifications_.emplace(std::move(name), std::move(handler));
}

void server::observe_sessions(session_observer observer) {
  if (!observer) throw std::invalid_argument("failed to add a session observer: it is empty");
  observers_.push_back(std::move(observer));
}

void server::declare_capability(const std::string& name, const nlohmann::json& details) {
  declared_[name].merge_patch(details.is_object() ? details : nlohmann::json::object());
}

nlohmann::json server::capabilities() const {
  auto caps = nlohmann::json::object();
  for (const auto& [name, handler] : methods_)
    for (const auto& [prefix, capability] : implied_capabilities)
      if (std::string_view{name}.starts_with(prefix) && !caps.contains(capability))
        caps[std::string{capability}] = nlohmann::json::object();
  caps.merge_patch(declared_);
  return caps;
}

const method_handler* server::find_method(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

const notification_handler* server::find_notification(std::string_view name) const {
  auto it = notifications_.find(name);
  return it == notifications_.end() ? nullptr : &it->second;
}

} // namespace sage::services::mcp
