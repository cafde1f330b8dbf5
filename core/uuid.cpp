// Random (version 4) UUIDs as lower-case text, from libuuid.
// SPDX-License-Identifier: MIT
#include "core/uuid.hpp"

#include "core/utf8_repair.hpp"

#include <uuid/uuid.h>

namespace sage::core {

std::string new_uuid() {
  uuid_t raw;
  uuid_generate_random(raw);
  char text[37];
  uuid_unparse_lower(raw, text);
  return text;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  std::string copy(text);
  uuid_t raw;
  return uuid_parse(copy.c_str(), raw) == 0;
}

std::optional<error> check_uuid(std::string_view id, std::string_view what, std::string_view hint) {
  if (is_uuid(id)) return std::nullopt;
  constexpr std::size_t shown_bytes = 60;
  std::string shown;
  if (!is_valid_utf8(id)) {
    shown = "(not valid utf-8)";
  } else if (id.size() > shown_bytes) {
    auto cut = shown_bytes;
    while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80)
      --cut; // not inside a UTF-8 sequence
    shown = std::string{id.substr(0, cut)} + "...";
  } else {
    shown = std::string{id};
  }
  return make_error(error_code::invalid_argument,
                    "invalid " + std::string{what} + " `" + shown + "`: not a UUID",
                    "ids are UUIDs such as 1b4e28ba-2fa1-41d2-883f-0016d3cca427" +
                        (hint.empty() ? std::string{} : "; " + std::string{hint}));
}

} // namespace sage::core
