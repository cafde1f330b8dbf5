// The MCP stdio transport: newline-delimited messages from an input fd to one session, its
// answers (direct and deferred) as single lines to an output fd.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/session.hpp"

#include <chrono>
#include <cstddef>
#include <memory>

namespace sage::services::mcp {

struct stdio_options {
  /// Where messages come from (stdin) and where answers go (stdout). The transport writes
  /// nothing else to `output_fd`; logs go through `log`.
  int input_fd = 0;
  int output_fd = 1;
  /// Bounds for each line; `max_bytes` is also the most the reader ever buffers of one line.
  limits bounds;
  /// How long `run` waits, at end of input or on `stop`, for deferred answers still in flight.
  std::chrono::milliseconds drain_grace{1000};
  /// Size of one read from the input.
  std::size_t chunk_bytes = 64 * 1024;
  /// Session events and transport trouble (write failures); may be empty. Never stdout.
  session_log log;
};

/// Why `run` returned.
enum class stdio_end {
  end_of_input,  ///< the client closed stdin (or a read failed)
  stopped,       ///< `stop` was called (e.g. on SIGTERM)
  output_closed, ///< stdout is gone: nobody can read the answers any more
};

const char* to_string(stdio_end end);

/// Serves one MCP session over a pair of file descriptors, as the MCP stdio transport says:
/// one JSON-RPC message per line in both directions, nothing else on the output.
///
/// `run` reads on the calling thread and hands each line to the session in order (the session
/// is single-threaded). Answers from handlers that defer arrive from other threads; all output
/// goes through one mutex-protected writer, so lines never interleave. A line longer than
/// `bounds.max_bytes` is not buffered: the rest of it is read and dropped up to its newline, and
/// the client gets -32600 with id null. Empty lines are ignored; a trailing `\r` is dropped.
class stdio_transport {
public:
  stdio_transport(std::shared_ptr<const server> srv, stdio_options options);
  ~stdio_transport();

  stdio_transport(const stdio_transport&) = delete;
  stdio_transport& operator=(const stdio_transport&) = delete;

  /// Serves until end of input, `stop`, or a closed output; then waits up to `drain_grace`
  /// for deferred answers in flight and closes the writer (later answers are dropped).
  stdio_end run();

  /// Makes `run` stop reading and return soon; safe from any thread and from a signal-waiting
  /// thread (it writes one byte to a self-pipe). A message being handled is finished first.
  void stop();

private:
  struct writer;

  void handle_line(std::string_view line);
  void answer_too_large(std::size_t size);

  stdio_options options_;
  std::shared_ptr<writer> writer_;
  session session_;
  int stop_pipe_[2] = {-1, -1};
};

} // namespace sage::services::mcp
