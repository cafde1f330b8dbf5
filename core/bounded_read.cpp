// Reading files from outside with a size limit: regular files only, never more than asked for.
// SPDX-License-Identifier: MIT
#include "core/bounded_read.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace sage::core {

namespace {

/// Bytes asked of each read(2).
constexpr std::size_t chunk_bytes = 64 * 1024;

std::string kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

error read_failure(std::string_view what, const std::string& path, const std::string& why,
                   std::string hint, error_code code = error_code::io) {
  return make_error(code, "failed to read " + std::string{what} + " " + path + ": " + why,
                    std::move(hint));
}

std::string too_large(std::size_t limit) {
  return "it is larger than the limit of " + std::to_string(limit) + " bytes";
}

} // namespace

file_handle& file_handle::operator=(file_handle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

file_handle::~file_handle() {
  if (fd_ >= 0) ::close(fd_);
}

result<file_handle> open_regular_file(const std::string& path, std::size_t max_bytes,
                                      std::string_view what) {
  file_handle file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.get() < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return read_failure(what, path, "it does not exist", "check the path", error_code::not_found);
    return read_failure(what, path, std::strerror(err), "check the file and its permissions");
  }
  struct stat st {};
  if (::fstat(file.get(), &st) != 0)
    return read_failure(what, path, std::strerror(errno), "check the file and its permissions");
  if (S_ISDIR(st.st_mode))
    return read_failure(what, path, "it is a directory", "point to a file, not a directory");
  if (!S_ISREG(st.st_mode))
    return read_failure(what, path, "it is " + kind_of(st.st_mode) + ", not a regular file",
                        "point to a regular file");
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    return read_failure(what, path, too_large(max_bytes),
                        "check that the path names the right file");
  // Reads of a regular file never block; clear the flag anyway so that reads behave as usual.
  if (int flags = ::fcntl(file.get(), F_GETFL); flags >= 0)
    ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK);
  return file;
}

result<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes,
                                      std::string_view what) {
  auto file = open_regular_file(path, max_bytes, what);
  if (!file) return file.err();
  std::string text;
  char buf[chunk_bytes];
  for (;;) {
    auto n = ::read(file->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return read_failure(what, path, std::strerror(errno), "check the file and try again");
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes)
      return read_failure(what, path, too_large(max_bytes),
                          "check that the path names the right file");
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

line_reader::line_reader(int fd, std::size_t max_line_bytes, std::string what)
    : fd_(fd), max_line_bytes_(max_line_bytes), what_(std::move(what)) {}

result<std::optional<std::string>> line_reader::next() {
  std::size_t scanned = start_;
  for (;;) {
    auto newline = buffer_.find('\n', scanned);
    if (newline != std::string::npos || eof_) {
      if (newline == std::string::npos && start_ == buffer_.size())
        return std::optional<std::string>{}; // the end
      auto end = newline == std::string::npos ? buffer_.size() : newline;
      if (end - start_ > max_line_bytes_) break;
      std::string line = buffer_.substr(start_, end - start_);
      start_ = newline == std::string::npos ? buffer_.size() : newline + 1;
      ++line_;
      return std::optional<std::string>{std::move(line)};
    }
    if (buffer_.size() - start_ > max_line_bytes_) break;
    // Keep only the line being read, then read more.
    buffer_.erase(0, start_);
    start_ = 0;
    scanned = buffer_.size();
    char buf[chunk_bytes];
    auto n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(error_code::io,
                        "failed to read " + what_ + ": " + std::string{std::strerror(errno)},
                        "check the input and try again");
    if (n == 0)
      eof_ = true;
    else
      buffer_.append(buf, static_cast<std::size_t>(n));
  }
  return make_error(error_code::invalid_argument,
                    "failed to read " + what_ + ": line " + std::to_string(line_ + 1) +
                        " is longer than the limit of " + std::to_string(max_line_bytes_) +
                        " bytes",
                    "");
}

} // namespace sage::core
