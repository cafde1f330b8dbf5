// `sage backup`: an online copy of the memory database, the configuration and a manifest.
// SPDX-License-Identifier: MIT
#include "services/ops/backup.hpp"

#include "services/ops/db_check.hpp"
#include "services/ops/files.hpp"
#include "services/ops/sha256.hpp"

#include "actors/memory_store.hpp"

#include "core/kb_loader.hpp"
#include "core/sqlite.hpp"
#include "core/timestamp.hpp"

#include <cstdio>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

/// How long the copy waits for a busy database (another process checkpointing or migrating).
constexpr auto copy_wait = std::chrono::seconds(30);

core::error usage_error(std::string message, std::string hint) {
  return core::make_error(core::error_code::invalid_argument, std::move(message), std::move(hint));
}

/// Refuses any target but a new or empty folder; creates a new one. `created` says whether
/// this call made it (and so may remove it on failure).
std::optional<core::error> prepare_target(const fs::path& dir, bool& created) {
  const std::string new_folder = "pass a new or empty folder, e.g. --to backups/$(date +%F)";
  switch (kind_of(dir)) {
  case path_kind::missing:
    created = true;
    return create_private_folder(dir);
  case path_kind::symlink:
    return usage_error("backup folder " + dir.string() + " is a symbolic link",
                       "pass the folder itself, e.g. --to \"$(realpath " + dir.string() + ")\"");
  case path_kind::folder:
    if (folder_is_empty(dir)) return std::nullopt;
    return usage_error("backup folder " + dir.string() + " is not empty",
                       new_folder + "; a backup never writes over another");
  default:
    return usage_error("backup target " + dir.string() + " exists and is not a folder", new_folder);
  }
}

/// The live database copied into `to` in one consistent snapshot, then made self-contained.
std::optional<core::error> copy_live_database(const fs::path& live, const fs::path& to) {
  auto from = core::sqlite::connection::open(live.string(), core::sqlite::open_mode::existing);
  if (!from) return from.err();
  from->exec("PRAGMA busy_timeout = " +
             std::to_string(std::chrono::milliseconds(db_busy_wait).count()));
  // SQLite would create the copy with the umask's mode; create it private and empty instead.
  if (auto err = write_private_file(to, "")) return err;
  auto copy = core::sqlite::connection::open(to.string(), core::sqlite::open_mode::existing);
  if (!copy) return copy.err();
  if (auto err = core::sqlite::copy_database(*from, *copy, copy_wait)) return err;
  // The copy carries the live file's WAL flag; a rollback journal keeps it one file that
  // reads without -wal and -shm companions (and a read-only check creates none).
  return copy->exec("PRAGMA journal_mode = DELETE");
}

/// Backs up the database into the staging folder and records it in the manifest.
std::optional<core::error> back_up_database(const core::config& cfg, const fs::path& staging,
                                            backup_summary& s) {
  auto live = actors::memory_db_path(cfg);
  if (kind_of(live) == path_kind::missing) {
    s.notes.push_back("no memory database yet at " + live.string() +
                      "; the backup holds the configuration and knowledge checksums only");
    return std::nullopt;
  }
  auto copy = staging / backup_files::database;
  if (auto err = copy_live_database(live, copy))
    return core::make_error(err->code, "failed to back up the memory database: " + err->message,
                            err->hint);
  auto check = check_database(copy, db_depth::full);
  if (!check.ok())
    return core::make_error(core::error_code::io,
                            "the memory database failed its check, so a backup of it would be "
                            "damaged too: " +
                                check.problems.front().message,
                            check.problems.front().hint);
  s.manifest.schema_version = check.details.value("schema_version", 0);
  s.manifest.entries = check.details.value("entries", int64_t{0});
  s.manifest.sessions = check.details.value("sessions", int64_t{0});
  auto digest = digest_file(copy);
  if (!digest) return digest.err();
  s.manifest.files.push_back({backup_files::database, digest->size, digest->sha256});
  return std::nullopt;
}

std::optional<core::error> back_up_config(const core::config& cfg, const fs::path& staging,
                                          backup_summary& s) {
  auto text = "# The effective sage configuration when this backup was made (server.api_key is\n"
              "# redacted). `sage restore` does not apply it; compare it with `sage config "
              "show`.\n" +
              core::to_yaml(cfg, false) + "\n";
  if (auto err = write_private_file(staging / backup_files::config, text)) return err;
  s.manifest.files.push_back({backup_files::config, text.size(), sha256_hex(text)});
  return std::nullopt;
}

void record_knowledge(const core::config& cfg, backup_summary& s) {
  auto root = core::configured_kb_root(cfg);
  std::error_code ec;
  auto canonical = fs::canonical(root, ec);
  s.manifest.kb_root = ec ? root.string() : canonical.string();
  auto files = knowledge_checksums(root);
  if (!files) {
    s.notes.push_back("knowledge base checksums left out: " + files.err().message);
    return;
  }
  s.manifest.knowledge = std::move(*files);
}

/// Moves the staged files into place, the manifest checksum last, and removes the staging.
std::optional<core::error> publish(const fs::path& staging, const fs::path& dir,
                                   const backup_manifest& m) {
  std::vector<std::string> names;
  for (const auto& f : m.files)
    names.push_back(f.path);
  names.push_back(backup_files::manifest);
  names.push_back(backup_files::manifest_sum);
  if (auto err = sync_folder(staging)) return err;
  for (const auto& name : names) {
    std::error_code ec;
    fs::rename(staging / name, dir / name, ec);
    if (ec)
      return core::make_error(core::error_code::io,
                              "failed to move " + name + " into " + dir.string() + ": " +
                                  ec.message(),
                              "check the permissions of the backup folder");
    if (name == backup_files::manifest)
      if (auto err = sync_folder(dir)) return err; // every other file is in place first
  }
  std::error_code ec;
  fs::remove(staging, ec);
  return sync_folder(dir);
}

} // namespace

core::result<backup_summary> create_backup(const core::config& cfg, const fs::path& target) {
  auto dir = folder_path(target);
  bool created = false;
  if (auto err = prepare_target(dir, created)) return *err;
  auto staging = dir / backup_files::staging;
  auto cleanup = [&](core::error err) -> core::result<backup_summary> {
    std::error_code ec;
    fs::remove_all(staging, ec);
    if (created) fs::remove(dir, ec); // only when empty: never anything of the caller's
    return err;
  };
  if (auto err = create_private_folder(staging)) return cleanup(*err);

  backup_summary s;
  s.dir = dir;
  s.manifest.created_at = core::now_timestamp();
  s.manifest.sage_version = SAGE_VERSION;
  s.manifest.data_dir = cfg.data_dir;
  if (auto err = back_up_database(cfg, staging, s)) return cleanup(*err);
  if (auto err = back_up_config(cfg, staging, s)) return cleanup(*err);
  record_knowledge(cfg, s);
  auto manifest = to_json(s.manifest).dump(2) + "\n";
  if (auto err = write_private_file(staging / backup_files::manifest, manifest))
    return cleanup(*err);
  auto sum = sha256_hex(manifest) + "  " + backup_files::manifest + "\n";
  if (auto err = write_private_file(staging / backup_files::manifest_sum, sum))
    return cleanup(*err);
  if (auto err = publish(staging, dir, s.manifest)) {
    // Remove what was moved already, so that the folder never looks like a backup.
    std::error_code ec;
    for (const auto& name : {backup_files::manifest_sum, backup_files::manifest,
                             backup_files::config, backup_files::database})
      fs::remove(dir / name, ec);
    return cleanup(*err);
  }
  return s;
}

} // namespace sage::services::ops
