// Random (version 4) UUIDs as lower-case text, from libuuid.
// SPDX-License-Identifier: MIT
#include "core/uuid.hpp"

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

} // namespace sage::core
