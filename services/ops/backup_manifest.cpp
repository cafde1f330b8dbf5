// The manifest of a backup folder and the check of a folder against it.
// SPDX-License-Identifier: MIT
#include "services/ops/backup_manifest.hpp"

#include "services/ops/db_check.hpp"
#include "services/ops/files.hpp"
#include "services/ops/sha256.hpp"

#include "core/bounded_read.hpp"
#include "core/index_cache.hpp"
#include "core/json_parse.hpp"
#include "core/kb_loader.hpp"
#include "core/kb_scan.hpp"

#include <map>
#include <set>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

/// Largest `manifest.json` read: it lists every file of the knowledge base with its checksum,
/// about 150 bytes each.
constexpr std::size_t max_manifest_bytes = std::size_t{64} << 20;
/// `manifest.sha256` is one line of 80 bytes.
constexpr std::size_t max_manifest_sum_bytes = 4096;

nlohmann::json to_json(const manifest_file& f) {
  return {{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}};
}

core::error bad_manifest(const std::string& what) {
  return core::make_error(core::error_code::parse, "manifest.json is not valid: " + what,
                          "the backup is damaged or was not written by sage; use another backup");
}

/// A relative path that stays inside its folder: no `..`, no root, no empty parts.
bool stays_inside(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  for (const auto& part : fs::path(path))
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

core::result<std::vector<manifest_file>> files_from_json(const nlohmann::json& list,
                                                         const std::string& key) {
  if (!list.is_array()) return bad_manifest("`" + key + "` is not a list");
  std::vector<manifest_file> out;
  std::set<std::string> seen;
  for (const auto& f : list) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("size") ||
        !f["size"].is_number_unsigned() || !f.contains("sha256") || !f["sha256"].is_string())
      return bad_manifest("an entry of `" + key + "` lacks path, size or sha256");
    manifest_file m{f["path"].get<std::string>(), f["size"].get<uint64_t>(),
                    f["sha256"].get<std::string>()};
    if (!stays_inside(m.path)) return bad_manifest("path `" + m.path + "` leaves its folder");
    if (!is_sha256_hex(m.sha256)) return bad_manifest("sha256 of `" + m.path + "` is malformed");
    if (!seen.insert(m.path).second) return bad_manifest("`" + m.path + "` is listed twice");
    out.push_back(std::move(m));
  }
  return out;
}

/// The `manifest.sha256` line for the manifest: `<hex>  manifest.json`.
core::result<std::string> recorded_manifest_sum(const fs::path& dir) {
  auto sum_file = dir / backup_files::manifest_sum;
  if (kind_of(sum_file) != path_kind::file) return core::make_error(core::error_code::io, "");
  auto read = core::read_bounded_file(sum_file.string(), max_manifest_sum_bytes, "manifest sum");
  if (!read) return core::make_error(core::error_code::parse, "");
  std::string text = std::move(*read);
  auto expected_tail = std::string("  ") + backup_files::manifest;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  if (text.size() != 64 + expected_tail.size() || text.substr(64) != expected_tail ||
      !is_sha256_hex(text.substr(0, 64)))
    return core::make_error(core::error_code::parse, "");
  return text.substr(0, 64);
}

/// Size and checksum of one listed file against the folder.
void check_file(const fs::path& dir, const manifest_file& f, check_report& r) {
  auto path = dir / f.path;
  auto kind = kind_of(path);
  const std::string hint = "the backup is damaged; use another backup";
  if (kind == path_kind::missing) return r.fail(f.path + " is missing from the backup", hint);
  if (kind != path_kind::file)
    return r.fail(f.path + " in the backup is not a regular file (a symbolic link or a folder)",
                  hint);
  auto digest = digest_file(path);
  if (!digest) return r.fail(digest.err().message, hint);
  if (digest->size != f.size)
    return r.fail(f.path + " has " + std::to_string(digest->size) + " bytes, the manifest says " +
                      std::to_string(f.size) + ": the file was changed or truncated",
                  hint);
  if (digest->sha256 != f.sha256)
    r.fail(f.path + " does not match its sha-256 in the manifest: the file was changed", hint);
}

} // namespace

bool backup_manifest::has_database() const {
  for (const auto& f : files)
    if (f.path == backup_files::database) return true;
  return false;
}

nlohmann::json to_json(const backup_manifest& m) {
  auto files = nlohmann::json::array(), knowledge = nlohmann::json::array();
  for (const auto& f : m.files)
    files.push_back(to_json(f));
  uint64_t kb_bytes = 0;
  for (const auto& f : m.knowledge) {
    knowledge.push_back(to_json(f));
    kb_bytes += f.size;
  }
  return {{"format", "sage-backup"},
          {"format_version", m.format_version},
          {"created_at", m.created_at},
          {"sage_version", m.sage_version},
          {"data_dir", m.data_dir},
          {"schema_version", m.schema_version},
          {"memory", {{"entries", m.entries}, {"sessions", m.sessions}}},
          {"files", files},
          {"knowledge",
           {{"root", m.kb_root},
            {"count", m.knowledge.size()},
            {"bytes", kb_bytes},
            {"files", knowledge}}}};
}

core::result<backup_manifest> manifest_from_json(const nlohmann::json& j) {
  if (!j.is_object() || j.value("format", "") != "sage-backup")
    return bad_manifest("it is not a sage backup manifest");
  if (!j.contains("format_version") || !j["format_version"].is_number_integer())
    return bad_manifest("`format_version` is missing");
  backup_manifest m;
  m.format_version = j["format_version"].get<int>();
  if (m.format_version > backup_format_version)
    return core::make_error(core::error_code::parse,
                            "backup format version " + std::to_string(m.format_version) +
                                " is newer than this build reads (" +
                                std::to_string(backup_format_version) + ")",
                            "restore it with the sage version that wrote it, or a newer one");
  nlohmann::json files, knowledge;
  try {
    m.created_at = j.at("created_at").get<std::string>();
    m.sage_version = j.at("sage_version").get<std::string>();
    m.data_dir = j.value("data_dir", "");
    m.schema_version = j.at("schema_version").get<int>();
    m.entries = j.at("memory").at("entries").get<int64_t>();
    m.sessions = j.at("memory").at("sessions").get<int64_t>();
    m.kb_root = j.at("knowledge").at("root").get<std::string>();
    files = j.at("files");
    knowledge = j.at("knowledge").at("files");
  } catch (const nlohmann::json::exception& e) {
    return bad_manifest(std::string("a field is missing or of the wrong type (") + e.what() + ")");
  }
  auto listed = files_from_json(files, "files");
  if (!listed) return listed.err();
  for (const auto& f : *listed)
    if (f.path != backup_files::database && f.path != backup_files::config)
      return bad_manifest("unknown file `" + f.path + "` in `files`");
  m.files = std::move(*listed);
  auto kb_files = files_from_json(knowledge, "knowledge");
  if (!kb_files) return kb_files.err();
  m.knowledge = std::move(*kb_files);
  if (m.has_database() != (m.schema_version > 0))
    return bad_manifest("`schema_version` and the listed database disagree");
  return m;
}

backup_check check_backup(const fs::path& folder) {
  auto dir = folder_path(folder);
  backup_check out;
  auto& r = out.report;
  r.name = "backup";
  r.details["path"] = dir.string();
  const std::string incomplete_hint =
      "the backup did not finish (it was interrupted); delete the folder and use another backup";
  if (kind_of(dir / backup_files::staging) != path_kind::missing) {
    r.fail("backup in " + dir.string() + " is incomplete: " + backup_files::staging +
               " is still there",
           incomplete_hint);
    r.summary = "incomplete";
    return out;
  }
  auto sum = recorded_manifest_sum(dir);
  if (!sum) {
    if (sum.err().code == core::error_code::io)
      r.fail(std::string(backup_files::manifest_sum) + " is missing: " + dir.string() +
                 " is not a complete sage backup",
             incomplete_hint);
    else
      r.fail(std::string(backup_files::manifest_sum) + " is malformed",
             "the backup is damaged; use another backup");
    r.summary = "not a complete backup";
    return out;
  }
  auto manifest_path = dir / backup_files::manifest;
  if (kind_of(manifest_path) != path_kind::file) {
    r.fail(std::string(backup_files::manifest) + " is missing or not a regular file",
           "the backup is damaged; use another backup");
    r.summary = "damaged";
    return out;
  }
  auto read = core::read_bounded_file(manifest_path.string(), max_manifest_bytes, "manifest");
  if (!read) {
    r.fail(read.err().message, "the backup is damaged; use another backup");
    r.summary = "damaged";
    return out;
  }
  std::string text = std::move(*read);
  if (sha256_hex(text) != *sum) {
    r.fail(std::string(backup_files::manifest) +
               " does not match its sha-256 in manifest.sha256: the manifest was changed",
           "the backup is damaged; use another backup");
    r.summary = "damaged";
    return out;
  }
  auto parsed = core::parse_json(text, std::string{backup_files::manifest});
  if (!parsed) {
    r.fail(parsed.err().message, "the backup is damaged; use another backup");
    r.summary = "damaged";
    return out;
  }
  auto manifest = manifest_from_json(*parsed);
  if (!manifest) {
    r.fail(manifest.err().message, manifest.err().hint);
    r.summary = "damaged";
    return out;
  }
  r.details["created_at"] = manifest->created_at;
  r.details["sage_version"] = manifest->sage_version;
  r.details["schema_version"] = manifest->schema_version;
  r.details["files"] = manifest->files.size();
  r.details["knowledge_files"] = manifest->knowledge.size();
  for (const auto& f : manifest->files)
    check_file(dir, f, r);
  if (r.ok() && manifest->has_database()) {
    auto db = check_database(dir / backup_files::database, db_depth::full, /*read_only=*/true);
    for (auto& p : db.problems)
      r.fail("memory.db in the backup: " + p.message, "the backup is damaged; use another backup");
    if (db.ok()) r.details["database"] = db.details;
  }
  if (!manifest->has_database())
    r.notes.push_back("the backup holds no memory database (there was none when it was made)");
  r.summary = r.ok() ? "complete, " + std::to_string(manifest->files.size()) +
                           " files match their checksums, written " + manifest->created_at +
                           " by sage " + manifest->sage_version
                     : "damaged";
  out.manifest = std::move(*manifest);
  return out;
}

core::result<std::vector<manifest_file>> knowledge_checksums(const fs::path& root) {
  auto scanned = core::scan_knowledge_base(root);
  if (!scanned) return scanned.err();
  std::vector<manifest_file> out;
  out.reserve(scanned->files.size());
  for (const auto& f : scanned->files) {
    auto digest = digest_file(root / f.path);
    if (!digest) return digest.err();
    out.push_back({f.path, digest->size, std::move(digest->sha256)});
  }
  return out;
}

std::vector<std::string> compare_knowledge(const backup_manifest& m, const core::config& cfg) {
  auto now = knowledge_checksums(core::configured_kb_root(cfg));
  if (!now)
    return {"the knowledge base could not be compared with the backup's: " + now.err().message};
  std::map<std::string, const manifest_file*> then;
  for (const auto& f : m.knowledge)
    then.emplace(f.path, &f);
  size_t added = 0, changed = 0;
  for (const auto& f : *now) {
    auto it = then.find(f.path);
    if (it == then.end())
      ++added;
    else {
      changed += it->second->sha256 != f.sha256;
      then.erase(it);
    }
  }
  if (added + changed + then.size() == 0)
    return {"the knowledge base is the one recorded in the backup (" + std::to_string(now->size()) +
            " files, same checksums)"};
  return {"the knowledge base differs from the one recorded in the backup: " +
          std::to_string(added) + " files added, " + std::to_string(changed) + " changed, " +
          std::to_string(then.size()) + " removed since (it is not part of the backup)"};
}

} // namespace sage::services::ops
