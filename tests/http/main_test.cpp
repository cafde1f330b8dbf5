// Entry point of the HTTP API library's test suite (services/http, in process).
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_http
#include <boost/test/unit_test.hpp>
