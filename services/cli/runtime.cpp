// The CLI's runtime: configuration, knowledge base and token counter.
// SPDX-License-Identifier: MIT
#include "services/cli/runtime.hpp"

#include "services/cli/log_setup.hpp"
#include "services/telemetry/logging.hpp"

#include "core/kb_loader.hpp"

#include <spdlog/spdlog.h>

namespace sage::services::cli {

core::result<core::config> load_effective_config(const global_options& g) {
  auto inputs = core::standard_config_inputs();
  if (!g.config_file.empty()) inputs.explicit_file = g.config_file;
  if (!g.kb_path.empty()) inputs.flags["knowledge.path"] = g.kb_path;
  return core::load_config(inputs);
}

core::result<runtime*> session::open(bool long_running) {
  if (rt) return rt.get();
  auto cfg = load_effective_config(options);
  if (!cfg) return cfg.err();
  apply_logging_config(*cfg, options, long_running);
  rt = std::make_unique<runtime>();
  rt->cfg = std::move(*cfg);
  auto counter = core::token_counter::load(rt->cfg.token_encoding, SAGE_DEFAULT_DATA_DIR);
  if (!counter) return counter.err();
  core::kb_load_options opts;
  opts.root = core::configured_kb_root(rt->cfg);
  if (rt->cfg.cache_enabled) opts.cache_dir = rt->cfg.cache_dir;
  auto kb = core::load_knowledge_base(rt->cfg, opts);
  if (!kb) return kb.err();
  rt->kb = std::move(*kb);
  const auto& s = rt->kb->stats;
  telemetry::log(spdlog::level::debug, "knowledge base loaded",
                 {{"root", rt->kb->root.string()},
                  {"documents", rt->kb->documents.size()},
                  {"parsed", s.files_parsed},
                  {"from_cache", s.files_from_cache},
                  {"cache_written", s.cache_written},
                  {"build_ms", s.build_ms}});
  actors::engine_options eo;
  if (long_running) {
    eo.watch = true;
    eo.log_events = true;
  } else {
    eo.workers = 1; // one question, one worker; nothing to watch for
  }
  rt->engine = actors::engine::start(rt->cfg, std::move(*counter), rt->kb, eo);
  return rt.get();
}

} // namespace sage::services::cli
