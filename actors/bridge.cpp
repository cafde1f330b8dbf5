// The bridge.
// SPDX-License-Identifier: MIT
#include "actors/bridge.hpp"

#include "actors/error.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

namespace sage::actors {

bridge::bridge(caf::actor_system& sys, engine_actor entry, core::timeout_config limits,
               std::chrono::milliseconds margin)
    : sys_(sys), entry_(std::move(entry)), limits_(limits), margin_(margin) {}

template <class Answer, class... Ts>
core::result<Answer> bridge::call(operation op, Ts&&... request) {
  auto wait = deadline_of(op, limits_) + margin_;
  caf::scoped_actor self{sys_};
  core::result<Answer> out = core::make_error(core::error_code::internal, "no answer");
  self->request(entry_, wait, std::forward<Ts>(request)...)
      .receive([&](Answer& answer) { out = std::move(answer); },
               [&](caf::error& err) {
                 if (err == caf::sec::request_timeout)
                   out =
                       core::make_error(core::error_code::timed_out,
                                        std::string("the engine did not answer ") + to_string(op) +
                                            " within " + std::to_string(wait.count()) + " ms",
                                        "retry; if it repeats, check the logs");
                 else
                   out = to_core_error(err, sys_);
               });
  return out;
}

core::result<core::load_result> bridge::get(get_request r) {
  return call<core::load_result>(operation::get, atom::get_v, std::move(r));
}

core::result<core::load_result> bridge::context(context_request r) {
  return call<core::load_result>(operation::context, atom::context_v, std::move(r));
}

core::result<core::load_result> bridge::named(named_request r) {
  return call<core::load_result>(operation::named, atom::named_v, std::move(r));
}

core::result<core::search_answer> bridge::search(core::search_params p) {
  return call<core::search_answer>(operation::search, atom::search_v, std::move(p));
}

core::result<core::layers_answer> bridge::layers() {
  return call<core::layers_answer>(operation::layers, atom::layers_v);
}

core::result<core::kb_info> bridge::info() {
  return call<core::kb_info>(operation::info, atom::info_v);
}

core::result<core::document_listing> bridge::documents(std::string layer) {
  return call<core::document_listing>(operation::documents, atom::documents_v, std::move(layer));
}

} // namespace sage::actors
