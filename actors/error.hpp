// Errors between actors: one enum, registered as a CAF error category at start-up.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <cstdint>
#include <string>

namespace sage::actors {

/// Error codes carried in `caf::error` values; the first ones mirror `core::error_code`.
enum class ec : uint8_t {
  none = 0,
  invalid_argument,
  config,
  not_found,
  ambiguous,
  forbidden,
  io,
  parse,
  timed_out,
  internal,
  breaker_open, ///< a circuit breaker refused the call
};

/// The name of a code; every enumerator has one (checked by a test).
const char* to_string(ec code);

/// A core error as a CAF error: the code, with message and hint as context.
caf::error to_caf_error(const core::error& e);

/// Whether an error is the caller's (not found, invalid, ambiguous, forbidden): an answer, not
/// a failure of the engine, so it never counts against a circuit breaker.
bool is_caller_error(const caf::error& e);

/// The core error a CAF error carries (for the CLI and HTTP front ends); errors of other
/// categories become `internal` with CAF's rendering as the message.
core::error to_core_error(const caf::error& e, caf::actor_system& sys);

} // namespace sage::actors

CAF_ERROR_CODE_ENUM(sage::actors::ec, "sage")
