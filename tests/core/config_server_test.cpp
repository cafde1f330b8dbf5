// Tests of the HTTP API's configuration keys (server.rate_limit, server.cors, server.limits,
// server.threads, server.max_event_streams, server.metrics_*): defaults, sources, validation.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;
using namespace sage::core::test;

BOOST_AUTO_TEST_SUITE(config_server)

BOOST_AUTO_TEST_CASE(api_protections_have_safe_defaults) {
  auto cfg = default_config();
  BOOST_CHECK_EQUAL(cfg.api.rate_per_second, 50.0);
  BOOST_CHECK_EQUAL(cfg.api.rate_burst, 100);
  BOOST_CHECK(cfg.api.cors_origins.empty());
  BOOST_CHECK_EQUAL(cfg.api.cors_max_age.count(), 600000);
  BOOST_CHECK_EQUAL(cfg.api.max_body_bytes, 2097152);
  BOOST_CHECK_EQUAL(cfg.api.max_header_bytes, 8192);
  BOOST_CHECK_EQUAL(cfg.api.threads, 64);
  BOOST_CHECK_EQUAL(cfg.api.max_event_streams, 4);
  BOOST_CHECK(cfg.api.metrics_on_api);
  BOOST_CHECK(!cfg.api.metrics_require_key);
}

BOOST_AUTO_TEST_CASE(api_protections_are_read_from_files_and_the_environment) {
  config_dir dir;
  auto inputs = with_file(dir, "server:\n"
                               "  rate_limit: {requests_per_second: 2.5, burst: 7}\n"
                               "  cors:\n"
                               "    allowed_origins: [\"https://dash.example.com\", \"*\"]\n"
                               "    max_age: 1m\n"
                               "  limits: {max_body_bytes: 4096, max_header_bytes: 2048}\n"
                               "  threads: 8\n"
                               "  metrics_require_key: true\n");
  inputs.env = {{"SAGE_SERVER__MAX_EVENT_STREAMS", "2"},
                {"SAGE_SERVER__RATE_LIMIT__REQUESTS_PER_SECOND", "0"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.api.rate_per_second, 0.0);
  BOOST_CHECK_EQUAL(cfg.api.rate_burst, 7);
  BOOST_REQUIRE_EQUAL(cfg.api.cors_origins.size(), 2u);
  BOOST_CHECK_EQUAL(cfg.api.cors_origins[0], "https://dash.example.com");
  BOOST_CHECK_EQUAL(cfg.api.cors_origins[1], "*");
  BOOST_CHECK_EQUAL(cfg.api.cors_max_age.count(), 60000);
  BOOST_CHECK_EQUAL(cfg.api.max_body_bytes, 4096);
  BOOST_CHECK_EQUAL(cfg.api.max_header_bytes, 2048);
  BOOST_CHECK_EQUAL(cfg.api.threads, 8);
  BOOST_CHECK_EQUAL(cfg.api.max_event_streams, 2);
  BOOST_CHECK(cfg.api.metrics_require_key);
  BOOST_CHECK_EQUAL(cfg.sources.at("server.max_event_streams"),
                    "env SAGE_SERVER__MAX_EVENT_STREAMS");
}

BOOST_AUTO_TEST_CASE(origins_must_be_scheme_and_host_or_a_star) {
  for (const char* bad : {"[\"dash.example.com\"]", "[\"https://dash.example.com/app\"]",
                          "[\"ftp://x\"]", "[\"https://\"]", "\"https://one.example.com\""}) {
    config_dir dir;
    auto err = load_error(
        with_file(dir, std::string("server:\n  cors:\n    allowed_origins: ") + bad + "\n"));
    BOOST_TEST_CONTEXT(bad) {
      BOOST_CHECK(err.message.find("server.cors.allowed_origins") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_limits_are_refused_naming_the_key) {
  config_dir dir;
  auto err = load_error(with_file(dir, "server:\n  rate_limit:\n    requests_per_second: -1\n"));
  BOOST_CHECK(err.message.find("server.rate_limit.requests_per_second") != std::string::npos);
  config_dir other;
  err = load_error(with_file(other, "server:\n  limits:\n    max_body_bytes: 10\n"));
  BOOST_CHECK(err.message.find("server.limits.max_body_bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(event_streams_must_leave_threads_for_other_requests) {
  config_dir dir;
  auto err = load_error(with_file(dir, "server:\n  threads: 4\n  max_event_streams: 4\n"));
  BOOST_CHECK(err.message.starts_with("invalid value for server.max_event_streams in "));
  BOOST_CHECK(err.message.find("less than server.threads (4)") != std::string::npos);
  BOOST_CHECK(err.hint.find("server.threads") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
