// Atoms and the type-ID block of every type that crosses an actor boundary.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/messages.hpp"

#include <caf/type_id.hpp>
#include <vector>

CAF_BEGIN_TYPE_ID_BLOCK(sage, caf::first_custom_type_id)
// Atom text is at most 10 characters in CAF 0.17.
CAF_ADD_ATOM(sage, sage::actors::atom, get, "get")
CAF_ADD_ATOM(sage, sage::actors::atom, context, "context")
CAF_ADD_ATOM(sage, sage::actors::atom, search, "search")
CAF_ADD_ATOM(sage, sage::actors::atom, named, "named")
CAF_ADD_ATOM(sage, sage::actors::atom, layers, "layers")
CAF_ADD_ATOM(sage, sage::actors::atom, info, "info")
CAF_ADD_ATOM(sage, sage::actors::atom, subscribe, "subscribe")
CAF_ADD_ATOM(sage, sage::actors::atom, unsubscribe, "unsub")
CAF_ADD_ATOM(sage, sage::actors::atom, publish, "publish")
CAF_ADD_ATOM(sage, sage::actors::atom, deliver, "deliver")
CAF_ADD_ATOM(sage, sage::actors::atom, stats, "stats")
CAF_ADD_TYPE_ID(sage, (sage::core::section_ref))
CAF_ADD_TYPE_ID(sage, (std::vector<sage::core::section_ref>))
CAF_ADD_TYPE_ID(sage, (sage::core::index_stamp))
CAF_ADD_TYPE_ID(sage, (sage::core::load_result))
CAF_ADD_TYPE_ID(sage, (sage::core::search_item))
CAF_ADD_TYPE_ID(sage, (std::vector<sage::core::search_item>))
CAF_ADD_TYPE_ID(sage, (sage::core::search_answer))
CAF_ADD_TYPE_ID(sage, (sage::core::search_params))
CAF_ADD_TYPE_ID(sage, (sage::actors::get_request))
CAF_ADD_TYPE_ID(sage, (sage::actors::context_request))
CAF_ADD_TYPE_ID(sage, (sage::actors::named_request))
CAF_ADD_TYPE_ID(sage, (sage::actors::event))
CAF_ADD_TYPE_ID(sage, (sage::actors::subscription))
CAF_ADD_TYPE_ID(sage, (sage::actors::router_stats))
CAF_END_TYPE_ID_BLOCK(sage)
