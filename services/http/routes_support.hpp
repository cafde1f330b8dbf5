// Checks shared by the memory, session and budget routes.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>

namespace sage::services::http {

/// An invalid_argument error unless `id` is a UUID; `what` names it ("memory entry id") and
/// `hint` says where such ids are listed.
std::optional<core::error> check_id(const std::string& id, const std::string& what,
                                    const std::string& hint);

/// An invalid_argument error when `text` is empty or only white space.
std::optional<core::error> check_not_blank(const std::string& text, const std::string& what,
                                           const std::string& hint);

} // namespace sage::services::http
