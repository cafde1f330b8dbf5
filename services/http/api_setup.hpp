// The HTTP API put together: every route over one engine, and the server's options from the
// configuration. `sage serve` uses these.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/http/api_server.hpp"
#include "services/http/event_streams.hpp"
#include "services/http/routes.hpp"

#include "core/config.hpp"

#include <memory>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::services::http {

/// The knowledge, memory, session, budget and health routes over `engine`, which must outlive
/// the server; `health` answers `/health` (`sage serve` runs the checks of `sage health`);
/// `/v1/events` when `events` is given (it must outlive the server too). `/metrics` and
/// `/v1/openapi.json` are added by the server itself.
std::shared_ptr<route_table> make_api_routes(actors::engine& engine,
                                             std::function<health_answer()> health,
                                             event_streams* events = nullptr);

/// server.max_event_streams as event stream options.
event_stream_options event_options_from(const core::config& cfg);

/// server.api_key, server.rate_limit, server.cors, server.limits, server.threads and the
/// metrics switches as server options; host, port and the hooks are the caller's.
api_options api_options_from(const core::config& cfg);

} // namespace sage::services::http
