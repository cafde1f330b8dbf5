// `sage node`: the engine running in the foreground until SIGINT or SIGTERM.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/signals.hpp"

#include <csignal>
#include <cstdlib>
#include <memory>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace sage::services::cli {
namespace {} // namespace

int run_node(session& s, const output& out) {
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for sigwait below instead of killing the process mid-write.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto rt = s.open(/*long_running=*/true);
  if (!rt) return out.fail(rt.err());
  auto& engine = *(*rt)->engine;
  if (!engine.await_ready())
    return out.fail(core::make_error(core::error_code::timed_out, "the engine did not start",
                                     "run with --verbose to see what it was doing"));
  const auto& kb = *(*rt)->kb;
  spdlog::info("node ready: knowledge base {} ({} documents, generation {}), {} query workers, "
               "watching for changes: {}",
               kb.root.string(), kb.documents.size(), kb.stamp.generation,
               (*rt)->cfg.engine.workers, (*rt)->cfg.kb_watch ? "yes" : "no");
  int sig = wait_for_signal(signals);
  spdlog::info("received {}, shutting down (grace {} ms per stage; signal again to stop at once)",
               sig == SIGINT ? "SIGINT" : "SIGTERM", (*rt)->cfg.engine.shutdown_grace.count());
  // A second signal during the ordered shutdown is a hard stop.
  std::thread([signals] {
    int again = wait_for_signal(signals);
    spdlog::warn("received a second signal; stopping now");
    // Flush without dropping the loggers, which the threads still stopping may use.
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
    std::_Exit(128 + again);
  }).detach();
  engine.stop();
  spdlog::info("shutdown complete");
  return ok;
}

} // namespace sage::services::cli
