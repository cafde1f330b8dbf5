// Checks shared by the memory, session and budget routes.
// SPDX-License-Identifier: MIT
#include "services/http/routes_support.hpp"

#include "core/utf8_repair.hpp"
#include "core/uuid.hpp"

namespace sage::services::http {

std::optional<core::error> check_id(const std::string& id, const std::string& what,
                                    const std::string& hint) {
  if (core::is_uuid(id)) return std::nullopt;
  auto shown = !core::is_valid_utf8(id) ? std::string("(not valid utf-8)")
               : id.size() > 60         ? id.substr(0, 60) + "..."
                                        : id;
  return core::make_error(core::error_code::invalid_argument,
                          "invalid " + what + " `" + shown + "`: not a UUID",
                          "ids are UUIDs such as 1b4e28ba-2fa1-41d2-883f-0016d3cca427; " + hint);
}

std::optional<core::error> check_not_blank(const std::string& text, const std::string& what,
                                           const std::string& hint) {
  if (text.find_first_not_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return core::make_error(core::error_code::invalid_argument, what + " is empty", hint);
}

} // namespace sage::services::http
