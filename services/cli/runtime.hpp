// What every CLI command runs against: the effective configuration, the knowledge-base
// snapshot (from the index cache when unchanged), the token counter and an analyzer.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzer.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/knowledge_base.hpp"
#include "core/knowledge_ops.hpp"
#include "core/tokenizer.hpp"

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
  std::optional<core::token_counter> tokens;
  core::analyzer an;

  core::op_context ops() { return {*kb, cfg, *tokens, an}; }
};

/// One CLI invocation: its options and, once a command asks for it, the runtime.
///
/// The runtime is opened at most once and deliberately never destroyed: the process exits
/// right after printing (see app.cpp), because freeing a large snapshot piece by piece takes
/// longer than the OS reclaiming the whole address space.
struct session {
  global_options options;
  std::unique_ptr<runtime> rt;

  /// Configuration, knowledge base and token counter, ready for an operation.
  core::result<runtime*> open();
};

} // namespace sage::services::cli
