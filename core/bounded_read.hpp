// Reading files from outside with a size limit: regular files only, never more than asked for.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sage::core {

/// An open file descriptor, closed on destruction.
class file_handle {
public:
  explicit file_handle(int fd = -1) : fd_(fd) {}
  file_handle(file_handle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  file_handle& operator=(file_handle&& other) noexcept;
  file_handle(const file_handle&) = delete;
  file_handle& operator=(const file_handle&) = delete;
  ~file_handle();

  int get() const { return fd_; }

private:
  int fd_;
};

/// Opens `path` for reading if it is a regular file (after symlinks) of at most `max_bytes`.
/// The open does not block (O_NONBLOCK), so a FIFO is refused instead of waiting for a writer,
/// and a device such as /dev/zero is refused instead of read forever. Errors name `what` and
/// the path: `not_found` when it does not exist, `io` for anything else.
result<file_handle> open_regular_file(const std::string& path, std::size_t max_bytes,
                                      std::string_view what);

/// The whole text of a regular file of at most `max_bytes` (see `open_regular_file`); reads at
/// most `max_bytes + 1` bytes, so a file that grows while read is refused too.
result<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes,
                                      std::string_view what);

/// Reads lines from a descriptor (a file or a pipe) one at a time, holding at most one line and
/// one buffer, and refusing a line longer than `max_line_bytes` as soon as it is seen: a JSON
/// lines file of any size, standard input or /dev/zero cost the same small memory.
class line_reader {
public:
  /// `what` names the input in messages ("import file x.jsonl", "standard input").
  line_reader(int fd, std::size_t max_line_bytes, std::string what);

  /// The next line without its `\n` (a final line without one counts), `std::nullopt` at the
  /// end, or an `invalid_argument` error for a line over the limit, an `io` one for a failed
  /// read.
  result<std::optional<std::string>> next();

  /// Number of the line last returned, from 1.
  std::size_t line_number() const { return line_; }

private:
  int fd_;
  std::size_t max_line_bytes_;
  std::string what_;
  std::string buffer_;
  std::size_t start_ = 0;
  std::size_t line_ = 0;
  bool eof_ = false;
};

} // namespace sage::core
