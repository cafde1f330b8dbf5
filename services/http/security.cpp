// The checks in front of every API route.
// SPDX-License-Identifier: MIT
#include "services/http/security.hpp"

#include "core/uuid.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sage::services::http {
namespace {

using digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;

/// SHA-256 of `text`; false only if OpenSSL fails, which makes the comparison fail closed.
bool sha256(std::string_view text, digest& out) {
  unsigned int size = 0;
  return EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) == 1 &&
         size == 32;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

bool key_matches(std::string_view presented, std::string_view expected) {
  if (expected.empty()) return false;
  digest a{}, b{};
  if (!sha256(presented, a) || !sha256(expected, b)) return false;
  return CRYPTO_memcmp(a.data(), b.data(), 32) == 0;
}

std::string presented_key(std::string_view x_api_key, std::string_view authorization) {
  if (!x_api_key.empty()) return std::string(trim(x_api_key));
  auto auth = trim(authorization);
  auto space = auth.find(' ');
  if (space == std::string_view::npos || !iequals(auth.substr(0, space), "bearer")) return {};
  return std::string(trim(auth.substr(space + 1)));
}

std::string request_id_for(std::string_view client_value) {
  constexpr size_t max_length = 128;
  bool sane = !client_value.empty() && client_value.size() <= max_length &&
              std::all_of(client_value.begin(), client_value.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                       c == '.' || c == ':';
              });
  return sane ? std::string(client_value) : core::new_uuid();
}

std::optional<std::string> cors_policy::allow(std::string_view origin) const {
  if (origin.empty()) return std::nullopt;
  for (const auto& a : allowed_) {
    if (a == "*") return std::string("*");
    if (iequals(a, origin)) return std::string(origin);
  }
  return std::nullopt;
}

} // namespace sage::services::http
