// MCP resources (PRODUCT.md 5.2): every document as `knowledge://<layer>/<path>`, every layer as
// `knowledge://<layer>`, session handoffs as `memory://session/<id>/handoff`, and their templates.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

#include <cstddef>
#include <cstdint>

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

/// Registers `resources/list`, `resources/read` and `resources/templates/list` on `srv` and
/// declares the `resources` capability (no subscriptions, no list-changed notifications yet).
/// Listing reads the in-memory snapshot; reads block on the engine or the disk and run on
/// `pool`, answered through the request's responder. `engine` and `pool` must outlive every
/// session of `srv`.
void register_resources(server& srv, actors::engine& engine, worker_pool& pool,
                        size_t page_size = resources_page_size);

} // namespace sage::services::mcp
