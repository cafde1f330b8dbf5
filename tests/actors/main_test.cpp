// Entry point of the actor test suite.
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_actors
#include <boost/test/unit_test.hpp>
