// Entry point of the core test suite.
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_core
#include <boost/test/unit_test.hpp>
