// Entry point of the telemetry test suite: logs and metrics of the real `sage` binary.
// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE sage_telemetry
#include <boost/test/unit_test.hpp>
