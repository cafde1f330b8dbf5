// MCP resources (docs/mcp.md): every document as `knowledge://<layer>/<path>`, every layer as
// `knowledge://<layer>`, session handoffs as `memory://session/<id>/handoff`, and their templates.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/resource_watch.hpp"
#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::services::mcp {

/// The code the MCP specification (2025-06-18, 2025-11-25) recommends for a resource that does
/// not exist. Also used for URIs that try to leave the knowledge base: they name nothing.
inline constexpr int resource_not_found_code = -32002;

/// Resources per `resources/list` page; a large corpus (38 000 pages) is paged with a cursor.
inline constexpr size_t resources_page_size = 500;

/// The budget of a layer read as a resource: a layer may be far larger than a client wants
/// in one read, so its best sections are loaded and the rest named as omitted.
inline constexpr uint64_t layer_resource_budget = 4000;

/// Most tokens of a `memory://session/<id>/handoff` resource.
inline constexpr uint64_t handoff_resource_tokens = 2000;

/// Registers `resources/list`, `resources/read`, `resources/templates/list`,
/// `resources/subscribe` and `resources/unsubscribe` on `srv`, declares the `resources`
/// capability with `subscribe` and `listChanged`, and hands every ready session to `watch`
/// (held weakly: once it is gone, sessions get no resource notifications). Listing and
/// subscribing read the in-memory snapshot; reads block on the engine or the disk and run on
/// `pool`, answered through the request's responder. `engine` and `pool` must outlive every
/// session of `srv`.
///
/// `resources/subscribe {uri}` takes a `knowledge://<layer>/<path>` document or a
/// `knowledge://<layer>` layer, validated as `resources/read` validates it, and stores the URI
/// as `resources/list` names it (the one notifications carry); subscribing twice is one
/// subscription. `resources/unsubscribe {uri}` takes the URI as subscribed (also of a document
/// removed since) or any URI that names the same resource; one that was never subscribed is
/// answered `{}` too. Both answer `{}`; handoffs cannot be subscribed to (-32602).
void register_resources(server& srv, actors::engine& engine, worker_pool& pool,
                        const std::shared_ptr<resource_watch>& watch,
                        size_t page_size = resources_page_size);

} // namespace sage::services::mcp
