// The HTTP headers the Streamable HTTP transport reads: media types and Accept (Host and Origin
// are read by services/net/host_check.hpp, shared with the API).
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace sage::services::mcp {

/// The media type of a Content-Type or Accept item without parameters, lower case.
std::string media_type(std::string_view value);

/// What an `Accept` header allows of the two types the transport sends.
struct accepted_types {
  bool present = false; ///< there was an Accept header
  bool json = false;    ///< application/json or application/*
  bool sse = false;     ///< text/event-stream or text/*: the client reads SSE
  bool any = false;     ///< */*

  /// One JSON body is fine (no Accept header allows anything).
  bool json_ok() const { return !present || json || any; }
  /// An SSE stream is fine.
  bool sse_ok() const { return sse || any; }
};

/// Reads an `Accept` header (`present` false: there was none).
accepted_types parse_accept(std::string_view header, bool present);

} // namespace sage::services::mcp
