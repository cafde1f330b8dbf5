// File steps of backups and restores.
// SPDX-License-Identifier: MIT
#include "services/ops/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

core::error io_error(const std::string& what, const fs::path& path, int err,
                     const std::string& hint) {
  return core::make_error(core::error_code::io,
                          what + ": " + std::strerror(err) + ", path=" + path.string(), hint);
}

/// Writes all of `data` to `fd`, retrying short writes.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

/// A new private file; the caller closes it.
int create_new(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::fchmod(fd, 0600); // the umask may have narrowed it further; never widened
  return fd;
}

} // namespace

std::optional<core::error> write_private_file(const fs::path& path, std::string_view data) {
  const std::string hint = "check free space and permissions of the folder";
  int fd = create_new(path);
  if (fd < 0) return io_error("failed to create file", path, errno, hint);
  bool ok = write_all(fd, data) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return io_error("failed to write file", path, err, hint);
  return std::nullopt;
}

std::optional<core::error> copy_private_file(const fs::path& from, const fs::path& to) {
  const std::string hint = "check free space and permissions of the folder";
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return io_error("failed to open file", from, errno, "check that it is readable");
  int out = create_new(to);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return io_error("failed to create file", to, err, hint);
  }
  char buf[1 << 16];
  bool ok = true;
  int err = 0;
  for (;;) {
    auto n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (n > 0 && !write_all(out, {buf, static_cast<size_t>(n)}))) {
      ok = false;
      err = errno;
      break;
    }
    if (n == 0) break;
  }
  if (ok && ::fsync(out) != 0) ok = false, err = errno;
  ::close(in);
  ::close(out);
  if (!ok) return io_error("failed to copy file", to, err, hint);
  return std::nullopt;
}

std::optional<core::error> sync_folder(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("failed to open folder", dir, errno, "check its permissions");
  bool ok = ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return io_error("failed to sync folder", dir, err, "check the file system");
  return std::nullopt;
}

std::optional<core::error> create_private_folder(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0)
    return io_error("failed to create folder", dir, errno,
                    "check that the parent folder exists and is writable");
  ::chmod(dir.c_str(), 0700); // mkdir's mode is reduced by the umask
  return std::nullopt;
}

fs::path folder_path(const fs::path& dir) {
  auto out = dir;
  while (!out.has_filename() && out.has_parent_path() && out.parent_path() != out)
    out = out.parent_path();
  return out;
}

path_kind kind_of(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return path_kind::missing;
  if (S_ISLNK(st.st_mode)) return path_kind::symlink;
  if (S_ISDIR(st.st_mode)) return path_kind::folder;
  if (S_ISREG(st.st_mode)) return path_kind::file;
  return path_kind::other;
}

bool folder_is_empty(const fs::path& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) && !ec;
}

} // namespace sage::services::ops
