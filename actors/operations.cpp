// Operation names and deadlines.
// SPDX-License-Identifier: MIT
#include "actors/operations.hpp"

namespace sage::actors {

const char* to_string(operation op) {
  switch (op) {
  case operation::get:
    return "get";
  case operation::context:
    return "context";
  case operation::named:
    return "named";
  case operation::search:
    return "search";
  case operation::layers:
    return "layers";
  case operation::info:
    return "info";
  case operation::documents:
    return "documents";
  }
  return "unknown";
}

std::chrono::milliseconds deadline_of(operation op, const core::timeout_config& t) {
  switch (op) {
  case operation::info:
  case operation::documents:
    return t.cache;
  case operation::named:
    return t.file;
  case operation::get:
  case operation::search:
    return t.layer;
  case operation::context:
  case operation::layers:
    return t.full;
  }
  return t.full;
}

} // namespace sage::actors
