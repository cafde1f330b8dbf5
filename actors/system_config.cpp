// The actor-system configuration every SAGE process starts from.
// SPDX-License-Identifier: MIT
#include "actors/system_config.hpp"

#include "actors/atoms.hpp"
#include "actors/error.hpp"

#include <caf/io/middleman.hpp>

namespace sage::actors {

system_config::system_config(bool network, size_t threads) {
  if (network) load<caf::io::middleman>();
  if (threads > 0) set("scheduler.max-threads", threads);
  // An idle scheduler thread spins briefly, then waits on its condition variable, which a new
  // job signals. CAF's default puts 500 naps of 50 us in between, and a request arriving
  // during one waits it out: measured by bench/actor_bench, skipping them cut the bridge's
  // round trip (`info`) from about +49 to +31 us over a direct call, and idle threads stop
  // waking up every 50 us.
  set("work-stealing.moderate-poll-attempts", size_t{0});
  add_message_types<caf::id_block::sage>();
  // The templated add_error_category<T> of 0.17.6 does not compile; a renderer does.
  add_error_category(caf::atom("sage"), [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    std::string out = std::string("sage: ") + to_string(static_cast<ec>(code));
    return ctx.empty() ? out : out + " " + caf::to_string(ctx);
  });
}

} // namespace sage::actors
