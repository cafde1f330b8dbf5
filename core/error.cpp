// Names of core error codes.
// SPDX-License-Identifier: MIT
#include "core/error.hpp"

namespace sage::core {

const char* to_string(error_code code) {
  switch (code) {
  case error_code::invalid_argument:
    return "invalid_argument";
  case error_code::config:
    return "config";
  case error_code::not_found:
    return "not_found";
  case error_code::ambiguous:
    return "ambiguous";
  case error_code::forbidden:
    return "forbidden";
  case error_code::io:
    return "io";
  case error_code::parse:
    return "parse";
  case error_code::timed_out:
    return "timed_out";
  case error_code::internal:
    return "internal";
  }
  return "unknown";
}

} // namespace sage::core
