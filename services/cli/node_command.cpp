// `sage node`: the engine running in the foreground until SIGINT or SIGTERM.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include "actors/event_logger.hpp"

#include <caf/scoped_actor.hpp>
#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace sage::services::cli {
namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

/// Subscribes the event logger to every event, so the log tells what the engine does.
void log_events(actors::engine& engine) {
  caf::scoped_actor self{engine.system()};
  self->request(engine.node(), std::chrono::seconds(2), actors::atom::worker_v,
                std::string("event_router"))
      .receive(
          [&](const caf::actor& router) {
            if (!router) return;
            auto logger = engine.system().spawn(actors::event_logger);
            self->send(caf::actor_cast<actors::event_router_actor>(router),
                       actors::atom::subscribe_v, actors::subscription{"*", 1000, 1000},
                       caf::actor_cast<caf::actor>(logger));
          },
          [&](const caf::error&) { spdlog::warn("events will not be logged"); });
}

} // namespace

int run_node(session& s, const output& out) {
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for sigwait below instead of killing the process mid-write.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto rt = s.open(/*long_running=*/true);
  if (!rt) return out.fail(rt.err());
  auto& engine = *(*rt)->engine;
  log_events(engine);
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
    spdlog::shutdown();
    std::_Exit(128 + again);
  }).detach();
  engine.stop();
  spdlog::info("shutdown complete");
  return ok;
}

} // namespace sage::services::cli
