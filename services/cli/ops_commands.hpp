// The operations commands: `sage health`, `sage backup`, `sage restore` and `sage verify`.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/commands.hpp"

#include <string>

namespace sage::services::cli {

/// Arguments of the operations commands.
struct ops_args {
  std::string to;     ///< backup --to
  std::string backup; ///< restore --backup, verify --backup
  bool all = false;   ///< verify --all
  bool database = false;
  bool index = false;
};

/// `sage health`: the checks of `GET /health`; exit 0 healthy or degraded, 4 unhealthy.
int run_health(session& s, const output& out);
int run_backup(session& s, const output& out, const ops_args& a);
int run_restore(session& s, const output& out, const ops_args& a);
/// `sage verify`: exit 0 when every check passes, 1 when any finds a problem.
int run_verify(session& s, const output& out, const ops_args& a);

/// Adds `health`, `backup`, `restore` and `verify` to `app`; the chosen one sets `action`.
void register_ops_commands(CLI::App& app, session& s, command_action& action);

} // namespace sage::services::cli
