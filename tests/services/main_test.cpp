// Entry point of the services test suite (the CLI driven as a process).
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_services
#include <boost/test/unit_test.hpp>
