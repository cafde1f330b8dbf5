// Checks shared by the memory, session and budget routes.
// SPDX-License-Identifier: MIT
#include "services/http/routes_support.hpp"

#include "core/utf8_repair.hpp"
#include "core/uuid.hpp"

namespace sage::services::http {

std::optional<core::error> check_id(const std::string& id, const std::string& what,
                                    const std::string& hint) {
  return core::check_uuid(id, what, hint);
}

std::optional<core::error> check_not_blank(const std::string& text, const std::string& what,
                                           const std::string& hint) {
  if (text.find_first_not_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return core::make_error(core::error_code::invalid_argument, what + " is empty", hint);
}

} // namespace sage::services::http
