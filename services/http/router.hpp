// Finding the route of a request and reading its parameters: path segments are matched on the
// raw target and decoded one by one, so an encoded `/` (`..%2f..%2fetc`) stays inside its
// segment and reaches the handler as a name to be checked, never as a path to another route.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/http/route.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sage::services::http {

/// The outcome of matching a request target against the table.
struct route_match {
  const route* found = nullptr;
  /// The methods served at the path when `found` is null but the path exists (405), sorted.
  std::vector<std::string> allowed;
  /// `{name}` segments of the pattern, decoded.
  std::map<std::string, std::string> path_values;
};

/// Matches requests to the routes of a table, which must outlive it.
class router {
public:
  explicit router(const route_table& table) : table_(table) {}

  /// The route for `method` (HEAD as GET) at `target` (path and query, as sent). `/api/v1/...`
  /// is the same as `/v1/...`.
  route_match find(std::string_view method, std::string_view target) const;

  /// The methods served at `target`'s path (empty when none is), for `Allow` and CORS.
  std::vector<std::string> methods_at(std::string_view target) const;

private:
  const route_table& table_;
};

/// The path and query parameters of a request to `r` as one JSON object, converted to their
/// schema types and checked: an unknown or repeated query parameter, a missing required one, a
/// value of the wrong type or out of range, or text that is not UTF-8 is an invalid_argument
/// error naming the parameter.
core::result<json> read_parameters(const route& r, const std::map<std::string, std::string>& path,
                                   const std::multimap<std::string, std::string>& query);

} // namespace sage::services::http
