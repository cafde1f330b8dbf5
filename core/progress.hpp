// How a long operation hands over what is ready and learns that nobody waits any more, so a
// caller whose deadline passes can answer `partial` and the work stops (docs/architecture.md).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/load_result.hpp"

namespace sage::core {

/// Implemented by whoever runs an operation under a deadline (the engine's query workers).
/// Operations call it between steps; both questions must be cheap.
class progress_sink {
public:
  virtual ~progress_sink() = default;

  /// Whether a partial answer is worth sending now (typically: a good share of the deadline
  /// has passed). Fast operations never get asked twice, so they never pay for a copy.
  virtual bool wants_partial() const = 0;

  /// What is ready so far; `ready.complete` is false.
  virtual void partial(const load_result& ready) const = 0;

  /// Whether the caller has given up (its deadline passed); the operation stops early and its
  /// answer is discarded.
  virtual bool cancelled() const = 0;
};

} // namespace sage::core
