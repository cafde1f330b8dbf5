// Safe paths inside a knowledge base.
// SPDX-License-Identifier: MIT
#include "core/kb_paths.hpp"

namespace sage::core {

namespace fs = std::filesystem;

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

result<std::string> check_relative_path(std::string_view request) {
  const std::string hint =
      "use a path relative to the knowledge base root, e.g. guidelines/CODE_STYLE";
  if (request.empty()) return make_error(error_code::invalid_argument, "empty path", hint);
  if (request.find('\0') != std::string_view::npos || !is_valid_utf8(request))
    return make_error(error_code::invalid_argument, "path is not valid utf-8 text", hint);
  if (request.front() == '/' || request.find('\\') != std::string_view::npos ||
      (request.size() > 1 && request[1] == ':'))
    return make_error(error_code::forbidden, "path leaves the knowledge base root", hint);
  std::string out;
  size_t pos = 0;
  while (pos <= request.size()) {
    auto slash = request.find('/', pos);
    auto part =
        request.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (part == "..")
      return make_error(error_code::forbidden, "path leaves the knowledge base root", hint);
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  if (out.empty()) return make_error(error_code::invalid_argument, "empty path", hint);
  return out;
}

bool is_inside(const fs::path& root, const fs::path& candidate) {
  std::error_code ec;
  auto real_root = fs::canonical(root, ec);
  if (ec) return false;
  auto real = fs::canonical(candidate, ec);
  if (ec) return false;
  auto r = real_root.native(), c = real.native();
  return c == r || (c.size() > r.size() && c.compare(0, r.size(), r) == 0 && c[r.size()] == '/');
}

result<fs::path> resolve_inside(const fs::path& root, std::string_view relative) {
  auto checked = check_relative_path(relative);
  if (!checked) return checked.err();
  auto full = root / *checked;
  std::error_code ec;
  if (!fs::exists(full, ec))
    return make_error(error_code::not_found, "no such file in the knowledge base: " + *checked,
                      "run `sage layers` or `sage search` to find documents");
  if (!is_inside(root, full))
    return make_error(error_code::forbidden, "path leaves the knowledge base root",
                      "symbolic links out of the knowledge base are not served");
  return full;
}

} // namespace sage::core
