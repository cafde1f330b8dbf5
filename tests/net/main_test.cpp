// Entry point of the listener defences' test suite (services/net, in process).
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_net
#include <boost/test/unit_test.hpp>
