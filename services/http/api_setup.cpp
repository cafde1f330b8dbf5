// The HTTP API put together.
// SPDX-License-Identifier: MIT
#include "services/http/api_setup.hpp"

#include "actors/engine.hpp"
#include "core/catalogue/catalogue.hpp"

namespace sage::services::http {

std::shared_ptr<route_table> make_api_routes(actors::engine& engine,
                                             std::function<health_answer()> health,
                                             event_streams* events) {
  auto table = std::make_shared<route_table>();
  core::catalogue::catalogue catalogue(engine.context()->cfg);
  add_health_route(*table, catalogue, std::move(health));
  add_knowledge_routes(*table, engine, catalogue);
  add_memory_routes(*table, engine, catalogue);
  add_session_routes(*table, engine, catalogue);
  add_budget_routes(*table, engine, catalogue);
  if (events != nullptr) add_event_routes(*table, *events, catalogue);
  return table;
}

event_stream_options event_options_from(const core::config& cfg) {
  event_stream_options o;
  o.max_streams = static_cast<size_t>(cfg.api.max_event_streams);
  return o;
}

api_options api_options_from(const core::config& cfg) {
  api_options o;
  o.port = cfg.api_port;
  o.api_key = cfg.api_key;
  o.rate_per_second = cfg.api.rate_per_second;
  o.rate_burst = cfg.api.rate_burst;
  o.cors_origins = cfg.api.cors_origins;
  o.cors_max_age = std::chrono::duration_cast<std::chrono::seconds>(cfg.api.cors_max_age);
  o.max_body_bytes = static_cast<size_t>(cfg.api.max_body_bytes);
  o.max_header_bytes = static_cast<size_t>(cfg.api.max_header_bytes);
  o.threads = static_cast<size_t>(cfg.api.threads);
  o.metrics_on_api = cfg.api.metrics_on_api;
  o.metrics_require_key = cfg.api.metrics_require_key;
  o.loopback_only = cfg.api_key.empty();
  o.allowed_hosts = cfg.api.allowed_hosts;
  o.header_timeout = cfg.api.header_timeout;
  o.body_timeout = cfg.api.body_timeout;
  o.max_connections_per_address = static_cast<size_t>(cfg.api.max_connections_per_address);
  return o;
}

} // namespace sage::services::http
