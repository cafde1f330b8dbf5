// The event router.
// SPDX-License-Identifier: MIT
#include "actors/event_router.hpp"

#include "core/event_pattern.hpp"

#include <algorithm>
#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <chrono>

namespace sage::actors {

uint64_t event_router_state::add(const subscription& wanted, event_handler_actor handler) {
  subscriber s{next_id++, wanted, std::move(handler), 0, 0, 0};
  auto at = std::upper_bound(subscribers.begin(), subscribers.end(), s,
                             [](const subscriber& a, const subscriber& b) {
                               return a.wanted.priority < b.wanted.priority;
                             });
  subscribers.insert(at, std::move(s));
  totals.subscriptions = subscribers.size();
  announce();
  return next_id - 1;
}

bool event_router_state::remove(uint64_t id) {
  auto before = subscribers.size();
  std::erase_if(subscribers, [&](const subscriber& s) { return s.id == id; });
  totals.subscriptions = subscribers.size();
  announce();
  return subscribers.size() != before;
}

void event_router_state::remove_handler(const caf::actor_addr& handler) {
  std::erase_if(subscribers, [&](const subscriber& s) { return s.handler.address() == handler; });
  totals.subscriptions = subscribers.size();
  announce();
}

std::vector<subscriber*> event_router_state::matching(const std::string& type) {
  std::vector<subscriber*> out;
  for (auto& s : subscribers)
    if (core::event_matches(s.wanted.pattern, type)) out.push_back(&s);
  return out;
}

subscriber* event_router_state::find(uint64_t id) {
  for (auto& s : subscribers)
    if (s.id == id) return &s;
  return nullptr;
}

void event_router_state::announce() const {
  if (!interest) return;
  std::vector<std::string> patterns;
  for (const auto& s : subscribers)
    patterns.push_back(s.wanted.pattern);
  interest->set(std::move(patterns));
}

event_router_actor::behavior_type
event_router_announcing(event_router_actor::stateful_pointer<event_router_state> self,
                        std::shared_ptr<event_interest> interest) {
  self->state.interest = std::move(interest);
  self->state.announce(); // a restarted router starts with no subscribers
  return event_router(self);
}

event_router_actor::behavior_type
event_router(event_router_actor::stateful_pointer<event_router_state> self) {
  self->set_down_handler([=](const caf::down_msg& dm) { self->state.remove_handler(dm.source); });
  return {
      [=](atom::subscribe, const subscription& wanted, const caf::actor& handler) {
        auto typed = caf::actor_cast<event_handler_actor>(handler);
        self->monitor(typed);
        return self->state.add(wanted, std::move(typed));
      },
      [=](atom::unsubscribe, uint64_t id) { return self->state.remove(id); },
      [=](atom::publish, const event& ev) {
        ++self->state.totals.published;
        for (auto* s : self->state.matching(ev.type)) {
          auto id = s->id;
          // Counters are looked up again on reply: the subscription may be gone by then.
          self->request(s->handler, std::chrono::milliseconds(s->wanted.timeout_ms),
                        atom::deliver_v, id, ev)
              .then(
                  [=](bool) {
                    ++self->state.totals.delivered;
                    if (auto* sub = self->state.find(id)) ++sub->delivered;
                  },
                  [=](caf::error& err) {
                    bool late = err == caf::sec::request_timeout;
                    ++(late ? self->state.totals.timed_out : self->state.totals.failed);
                    if (auto* sub = self->state.find(id)) ++(late ? sub->timed_out : sub->failed);
                  });
        }
      },
      [=](atom::stats) { return self->state.totals; },
  };
}

} // namespace sage::actors
