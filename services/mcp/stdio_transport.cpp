// The MCP stdio transport: a chunked line reader with a size bound, and a shared line writer.
// SPDX-License-Identifier: MIT
#include "services/mcp/stdio_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <string>
#include <system_error>
#include <unistd.h>

namespace sage::services::mcp {

const char* to_string(stdio_end end) {
  switch (end) {
  case stdio_end::end_of_input:
    return "end of input";
  case stdio_end::stopped:
    return "stopped";
  case stdio_end::output_closed:
    return "output closed";
  }
  return "unknown";
}

/// One line per message, whole lines only, from any thread. Shared with the session's sink,
/// which responders copy, so it outlives the transport when an answer comes very late.
struct stdio_transport::writer {
  int fd = 1;
  session_log log;
  std::mutex mutex;
  bool closed = false; ///< after `run`: drop whatever still comes
  bool broken = false; ///< a write failed (EPIPE): the client is gone
  /// Deferred requests not yet answered: + when `handle` defers, - when the sink answers.
  /// May dip below zero when a handler answers before returning `deferred`.
  long in_flight = 0;
  std::condition_variable drained;

  /// Writes the message and a newline; false when the output is closed or broken.
  bool write_line(const nlohmann::json& message) {
    auto text = serialize(message);
    text.push_back('\n');
    std::lock_guard lock(mutex);
    if (closed || broken) return false;
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      auto n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          pollfd w{fd, POLLOUT, 0};
          ::poll(&w, 1, 100);
          continue;
        }
        broken = true;
        if (log) log("failed to write to stdout", {{"reason", std::strerror(errno)}, {"fd", fd}});
        return false;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    return true;
  }

  /// The sink: late answers (and, later, notifications) from any thread.
  void deliver(const nlohmann::json& message) {
    write_line(message);
    bool is_answer = message.contains("id") && !message.contains("method");
    if (!is_answer) return;
    std::lock_guard lock(mutex);
    --in_flight;
    if (in_flight <= 0) drained.notify_all();
  }

  void deferred_one() {
    std::lock_guard lock(mutex);
    ++in_flight;
  }

  bool is_broken() {
    std::lock_guard lock(mutex);
    return broken;
  }

  /// Waits up to `grace` for the deferred answers in flight, then drops all later output.
  void drain_and_close(std::chrono::milliseconds grace) {
    std::unique_lock lock(mutex);
    drained.wait_for(lock, grace, [&] { return in_flight <= 0 || broken; });
    if (in_flight > 0 && log)
      log("stopped with deferred answers outstanding", {{"unanswered", in_flight}});
    closed = true;
  }
};

stdio_transport::stdio_transport(std::shared_ptr<const server> srv, stdio_options options)
    : options_(std::move(options)), writer_(std::make_shared<writer>()),
      session_(std::move(srv), [this] {
        session_options s;
        s.bounds = options_.bounds;
        s.log = options_.log;
        s.sink = [w = writer_](nlohmann::json message) { w->deliver(message); };
        return s;
      }()) {
  writer_->fd = options_.output_fd;
  writer_->log = options_.log;
  if (::pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "failed to create the stop pipe");
}

stdio_transport::~stdio_transport() {
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

void stdio_transport::stop() {
  char byte = 1;
  // Non-blocking: a full pipe already means "stop".
  [[maybe_unused]] auto n = ::write(stop_pipe_[1], &byte, 1);
}

void stdio_transport::handle_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return; // empty lines
  auto msg = parse_message(line, options_.bounds);
  bool is_request = std::holds_alternative<request>(msg);
  auto answer = session_.handle(msg);
  if (answer)
    writer_->write_line(*answer);
  else if (is_request)
    writer_->deferred_one(); // answered later through the sink
}

void stdio_transport::answer_too_large(std::size_t size) {
  const auto limit = options_.bounds.max_bytes;
  writer_->write_line(error_response(
      std::nullopt, make_error(error_code::invalid_request,
                               "the message is too large: " + std::to_string(size) +
                                   " bytes, the limit is " + std::to_string(limit),
                               nlohmann::json{{"size", size}, {"max_bytes", limit}})));
  if (options_.log) options_.log("dropped an oversized message", {{"size", size}});
}

stdio_end stdio_transport::run() {
  const std::size_t limit = options_.bounds.max_bytes;
  std::string chunk(std::max<std::size_t>(options_.chunk_bytes, 1), '\0');
  std::string line;          // the current line, never longer than `limit`
  bool discarding = false;   // the current line went past `limit`: skip to its newline
  std::size_t discarded = 0; // its full length so far
  stdio_end end = stdio_end::end_of_input;

  auto take = [&](std::string_view piece, bool complete) {
    if (discarding) {
      discarded += piece.size();
    } else if (line.size() + piece.size() > limit) {
      discarding = true;
      discarded = line.size() + piece.size();
      std::string{}.swap(line); // give the memory back
    } else {
      line.append(piece);
    }
    if (!complete) return;
    if (discarding)
      answer_too_large(discarded);
    else
      handle_line(line);
    discarding = false;
    discarded = 0;
    line.clear();
  };

  for (;;) {
    if (writer_->is_broken()) {
      end = stdio_end::output_closed;
      break;
    }
    pollfd fds[2] = {{options_.input_fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      if (options_.log)
        options_.log("failed to wait for input", {{"reason", std::strerror(errno)}});
      break;
    }
    if (fds[1].revents != 0) {
      end = stdio_end::stopped;
      break;
    }
    if (fds[0].revents == 0) continue;
    auto n = ::read(options_.input_fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (options_.log) options_.log("failed to read stdin", {{"reason", std::strerror(errno)}});
      break;
    }
    if (n == 0) { // end of input: a last line without a newline still counts
      if (discarding || !line.empty()) take({}, true);
      break;
    }
    std::string_view data(chunk.data(), static_cast<std::size_t>(n));
    for (auto nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n')) {
      take(data.substr(0, nl), true);
      data.remove_prefix(nl + 1);
    }
    if (!data.empty()) take(data, false);
  }
  writer_->drain_and_close(options_.drain_grace);
  return end;
}

} // namespace sage::services::mcp
