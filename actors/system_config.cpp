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
  add_message_types<caf::id_block::sage>();
  // The templated add_error_category<T> of 0.17.6 does not compile; a renderer does.
  add_error_category(caf::atom("sage"), [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    std::string out = std::string("sage: ") + to_string(static_cast<ec>(code));
    return ctx.empty() ? out : out + " " + caf::to_string(ctx);
  });
}

} // namespace sage::actors
