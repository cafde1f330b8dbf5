// Listing the Markdown files of a knowledge base.
// SPDX-License-Identifier: MIT
#include "core/kb_scan.hpp"

#include "core/kb_paths.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace sage::core {

namespace fs = std::filesystem;

namespace {

bool has_md_extension(const fs::path& p) {
  return ascii_lower(p.extension().string()) == ".md";
}

} // namespace

result<scan_result> scan_knowledge_base(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return make_error(error_code::not_found, "knowledge base folder not found: " + root.string(),
                      "pass --kb PATH or set SAGE_KB_PATH to a folder of Markdown files");
  auto real_root = fs::canonical(root, ec);
  if (ec)
    return make_error(error_code::io, "failed to resolve knowledge base folder: " + root.string(),
                      ec.message());
  scan_result out;
  fs::recursive_directory_iterator it(real_root, fs::directory_options::skip_permission_denied, ec);
  if (ec)
    return make_error(error_code::io, "failed to list knowledge base folder: " + root.string(),
                      ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      break;
    const auto& entry = *it;
    auto name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (entry.is_directory(ec))
        it.disable_recursion_pending();
      continue;
    }
    auto rel = entry.path().lexically_relative(real_root).generic_string();
    if (entry.is_symlink(ec)) {
      if (!is_inside(real_root, entry.path())) {
        out.refused.push_back(rel);
        continue;
      }
      if (entry.is_directory(ec))
        continue; // not followed: its files are reachable through their real path or not at all
    }
    if (!has_md_extension(entry.path()) || !entry.is_regular_file(ec))
      continue;
    struct stat st{};
    if (::stat(entry.path().c_str(), &st) != 0)
      continue;
    kb_file f;
    f.path = std::move(rel);
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    f.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    f.inode = static_cast<uint64_t>(st.st_ino);
    out.files.push_back(std::move(f));
  }
  if (ec)
    return make_error(error_code::io, "failed to list knowledge base folder: " + root.string(),
                      ec.message());
  std::sort(out.files.begin(), out.files.end(),
            [](const kb_file& a, const kb_file& b) { return a.path < b.path; });
  return out;
}

} // namespace sage::core
