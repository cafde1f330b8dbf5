// A CAF actor system for message tests, and the round trip a message makes to a remote node.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/atoms.hpp"
#include "actors/system_config.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>
#include <vector>

namespace sage::test {

struct system_fixture {
  actors::system_config cfg;
  caf::actor_system sys{cfg};

  /// Serialises `x` inside a message and reads it back, as the network layer does.
  template <class T> T round_trip(const T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto msg = caf::make_message(x);
    if (auto err = sink(msg)) BOOST_FAIL("serialising failed: " << sys.render(err));
    caf::message back;
    caf::binary_deserializer source{sys, buf};
    if (auto err = source(back)) BOOST_FAIL("deserialising failed: " << sys.render(err));
    BOOST_REQUIRE(back.match_element<T>(0));
    return back.get_as<T>(0);
  }
};

} // namespace sage::test
