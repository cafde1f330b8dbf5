// The operations subcommands: their arguments and flags.
// SPDX-License-Identifier: MIT
#include "services/cli/catalogue_options.hpp"
#include "services/cli/ops_commands.hpp"

#include <CLI/CLI.hpp>
#include <memory>

namespace sage::services::cli {

void register_ops_commands(CLI::App& app, session& s, command_action& action) {
  auto a = std::make_shared<ops_args>();
  auto on = [&s, &action, a](CLI::App* cmd, auto run) {
    cmd->callback([&s, &action, a, run] {
      action = [&s, a, run](const output& o) { return run(s, o, *a); };
    });
  };

  auto* health = add_operation_command(app, "get_health");
  health->description(health->get_description() + "; exit 0 healthy or degraded, 4 unhealthy");
  health->callback([&s, &action] { action = [&s](const output& o) { return run_health(s, o); }; });

  auto* backup = app.add_subcommand(
      "backup", "copy the memory database (online, while others write), the configuration and "
                "checksums of the knowledge base into a new folder");
  backup->add_option("--to", a->to, "a folder that does not exist yet or is empty")->required();
  on(backup, run_backup);

  auto* restore = app.add_subcommand(
      "restore", "replace the memory database with a backup, after checking every checksum; "
                 "refuses while another sage process has the database open");
  restore->add_option("--backup", a->backup, "a folder written by `sage backup`")->required();
  on(restore, run_restore);

  auto* verify = app.add_subcommand(
      "verify", "check the memory database, that the index cache matches the knowledge base, "
                "and a backup's checksums; exit 1 on any problem");
  verify->add_flag("--all", a->all,
                   "the database and the index (the default without other flags), and the "
                   "--backup given");
  verify->add_flag("--database", a->database,
                   "only the memory database: integrity, full-text index, schema version");
  verify->add_flag("--index", a->index, "only the index cache against a fresh build");
  verify->add_option("--backup", a->backup, "also check this backup folder");
  on(verify, run_verify);
}

} // namespace sage::services::cli
