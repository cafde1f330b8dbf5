// The kinds of engine operation, their deadlines (the T-levels of docs/architecture.md) and names.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"

#include <array>
#include <chrono>
#include <cstddef>

namespace sage::actors {

enum class operation : uint8_t { get, context, named, search, layers, info, documents };

inline constexpr std::array all_operations = {
    operation::get,    operation::context, operation::named,    operation::search,
    operation::layers, operation::info,    operation::documents};

/// `get`, `context`, ... as in events and breaker names.
const char* to_string(operation op);

/// The deadline of an operation: a lookup in memory (info, documents) is T1, one document
/// (named) T2, a layer or a search T3, a context build and the layer totals (every section
/// counted) T4.
std::chrono::milliseconds deadline_of(operation op, const core::timeout_config& t);

} // namespace sage::actors
