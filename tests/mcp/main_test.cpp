// Entry point of the MCP protocol core test suite.
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_mcp
#include <boost/test/unit_test.hpp>
