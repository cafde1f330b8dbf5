// The `sage` command line: flags, subcommands and exit codes (docs/cli.md).
// SPDX-License-Identifier: MIT
#pragma once

namespace sage::services::cli {

/// Parses the arguments, runs one command and returns the process exit code.
int run(int argc, char** argv);

} // namespace sage::services::cli
