// The HTTP headers the Streamable HTTP transport reads: media types, Accept, Host and Origin.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace sage::services::mcp {

/// True for 127.0.0.0/8, ::1 (with or without brackets) and `localhost`.
bool is_loopback_host(std::string_view host);

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

/// The host part of a `Host` header value or of an authority: `[::1]:8001` -> `::1`.
std::string host_of_authority(std::string_view authority);

/// The host of an `Origin` (`scheme://host[:port]`); empty for `null` or anything else odd.
std::string host_of_origin(std::string_view origin);

} // namespace sage::services::mcp
