// SHA-256 checksums (OpenSSL's libcrypto) of files and text, as lower-case hex.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sage::services::ops {

/// What a file held when it was read: its size and checksum.
struct file_digest {
  uint64_t size = 0;
  std::string sha256; ///< 64 lower-case hex digits
};

/// The SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// The size and SHA-256 of a file, read in blocks (a database of gigabytes is never held in
/// memory). An unreadable file is an io error naming it.
core::result<file_digest> digest_file(const std::filesystem::path& path);

/// True when `text` looks like what `sha256_hex` returns.
bool is_sha256_hex(std::string_view text);

} // namespace sage::services::ops
