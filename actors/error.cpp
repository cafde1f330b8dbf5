// Errors between actors.
// SPDX-License-Identifier: MIT
#include "actors/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>

namespace sage::actors {

const char* to_string(ec code) {
  switch (code) {
  case ec::none:
    return "none";
  case ec::invalid_argument:
    return "invalid_argument";
  case ec::config:
    return "config";
  case ec::not_found:
    return "not_found";
  case ec::ambiguous:
    return "ambiguous";
  case ec::forbidden:
    return "forbidden";
  case ec::io:
    return "io";
  case ec::parse:
    return "parse";
  case ec::timed_out:
    return "timed_out";
  case ec::internal:
    return "internal";
  case ec::breaker_open:
    return "breaker_open";
  }
  return "unknown";
}

caf::error to_caf_error(const core::error& e) {
  // core codes are numbered from 0; ec reserves 0 for "none".
  auto code = static_cast<ec>(static_cast<uint8_t>(e.code) + 1);
  return caf::make_error(code, e.message, e.hint);
}

bool is_caller_error(const caf::error& e) {
  if (e.category() != caf::atom("sage")) return false;
  switch (static_cast<ec>(e.code())) {
  case ec::invalid_argument:
  case ec::config:
  case ec::not_found:
  case ec::ambiguous:
  case ec::forbidden:
    return true;
  default:
    return false;
  }
}

core::error to_core_error(const caf::error& e, caf::actor_system& sys) {
  if (e.category() == caf::atom("sage") && e.code() > 0 &&
      e.code() <= static_cast<uint8_t>(ec::internal)) {
    core::error out{static_cast<core::error_code>(e.code() - 1), {}, {}};
    const auto& ctx = e.context();
    if (ctx.size() >= 1 && ctx.match_element<std::string>(0))
      out.message = ctx.get_as<std::string>(0);
    if (ctx.size() >= 2 && ctx.match_element<std::string>(1)) out.hint = ctx.get_as<std::string>(1);
    return out;
  }
  if (e.category() == caf::atom("sage") && e.code() == static_cast<uint8_t>(ec::breaker_open))
    return core::make_error(core::error_code::timed_out, "operation refused: circuit breaker open",
                            "the operation failed repeatedly; it is retried after a pause");
  return core::make_error(core::error_code::internal, sys.render(e),
                          "please report this with the command that caused it");
}

} // namespace sage::actors
