// How large the text of a session may be: fixed limits every interface checks and documents.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace sage::core::session_limits {

// A session is a plan and its progress, shown whole by `session status` and rendered into every
// handoff: text that belongs in memory (notes, results, documents) goes into memory entries,
// which have their own limit (memory.max_content_bytes). Without these bounds a few sessions
// with megabyte objectives made one status call take seconds and hold a worker the whole time.
// See docs/security.md.

/// Bytes of a session's objective.
inline constexpr std::size_t max_objective_bytes = 8 * 1024;
/// Bytes of one step of the plan.
inline constexpr std::size_t max_step_bytes = 1024;
/// Steps in one plan.
inline constexpr std::size_t max_steps = 100;
/// Bytes of the last action and of the last result.
inline constexpr std::size_t max_progress_bytes = 8 * 1024;
/// Bytes of a task id.
inline constexpr std::size_t max_task_id_bytes = 256;
/// Bytes of a checkpoint's label.
inline constexpr std::size_t max_label_bytes = 1024;

/// Sessions listed in one page when the caller names no limit, and the most one page holds.
inline constexpr std::size_t default_page = 50;
inline constexpr std::size_t max_page = 500;

} // namespace sage::core::session_limits
