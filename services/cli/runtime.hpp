// What every CLI command runs against: the effective configuration, the knowledge-base
// snapshot (from the index cache when unchanged) and the engine serving it in-process.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/engine.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/knowledge_base.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace sage::services::cli {

/// Global flags that feed configuration.
struct global_options {
  std::string kb_path;
  std::string config_file;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool no_color = false;
};

/// Loads the configuration from the standard sources plus the flags.
core::result<core::config> load_effective_config(const global_options& g);

struct runtime {
  core::config cfg;
  std::shared_ptr<const core::knowledge_base> kb;
  /// The operations run through the engine's actors, like they do in a server, so their
  /// deadlines, partial answers and fallbacks are the same everywhere.
  std::unique_ptr<actors::engine> engine;

  actors::bridge& calls() { return engine->calls(); }
};

/// One CLI invocation: its options and, once a command asks for it, the runtime.
///
/// The runtime is opened at most once and deliberately never destroyed: the process exits
/// right after printing (see app.cpp), because freeing a large snapshot piece by piece takes
/// longer than the OS reclaiming the whole address space.
struct session {
  global_options options;
  std::unique_ptr<runtime> rt;

  /// Configuration, knowledge base and the engine, ready for an operation. One-shot commands
  /// get one query worker and no file watching; a long-running process (`serve`, `node`)
  /// asks for `long_running` and gets the configured workers and watching.
  core::result<runtime*> open(bool long_running = false);
};

} // namespace sage::services::cli
