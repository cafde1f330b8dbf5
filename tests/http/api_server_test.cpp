// Tests of the API server in process, with a small route table and cpp-httplib's client: the
// record each finished request leaves, failures of handlers, /metrics, and draining on stop.
// SPDX-License-Identifier: MIT
#include "services/http/api_server.hpp"

#include <boost/test/unit_test.hpp>
#include <httplib.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace sage::services::http;

namespace {

/// A server on a free loopback port, run on a thread of its own, with every request record kept.
struct running_server {
  std::mutex mutex;
  std::vector<request_record> records;
  std::shared_ptr<api_server> server;
  std::thread thread;

  explicit running_server(route_table table, api_options options = {}) {
    options.port = 0;
    options.on_request = [this](const request_record& r) {
      std::lock_guard lock(mutex);
      records.push_back(r);
    };
    server = std::make_shared<api_server>(std::make_shared<route_table>(std::move(table)),
                                          std::move(options));
    auto failed = server->bind();
    BOOST_REQUIRE_MESSAGE(!failed, failed.value_or(""));
    thread = std::thread([s = server] { s->run(); });
  }
  ~running_server() {
    server->stop();
    thread.join();
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    return c;
  }

  /// The records so far; the record of a request is written right after its answer, so wait
  /// until `count` are there.
  std::vector<request_record> wait_for_records(size_t count) {
    for (int i = 0; i < 5000; ++i) {
      {
        std::lock_guard lock(mutex);
        if (records.size() >= count) return records;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard lock(mutex);
    return records;
  }
};

route_table things() {
  route_table t;
  t.add({.method = "GET",
         .pattern = "/v1/things/{id}",
         .operation_id = "getThing",
         .parameters = {path_param("id", "the id")},
         .handle = [](const call& c) -> sage::core::result<reply> {
           if (c.params["id"] == "boom") throw std::runtime_error("a handler failed");
           if (c.params["id"] == "none")
             return sage::core::make_error(sage::core::error_code::not_found, "no such thing",
                                           "list them first");
           return json_reply({{"id", c.params["id"]}, {"request_id", c.request_id}});
         }});
  return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_api_server)

BOOST_AUTO_TEST_CASE(each_finished_request_is_recorded_with_its_route_pattern) {
  running_server s(things());
  auto c = s.client();
  auto ok = c.Get("/v1/things/7", {{"X-Request-ID", "req-1"}});
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->status == 200);
  auto missing = c.Get("/nowhere");
  BOOST_REQUIRE(missing);
  BOOST_TEST(missing->status == 404);
  auto records = s.wait_for_records(2);
  BOOST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].method == "GET");
  BOOST_TEST(records[0].route == "/v1/things/{id}");
  BOOST_TEST(records[0].status == 200);
  BOOST_TEST(records[0].request_id == "req-1");
  BOOST_TEST(records[0].client == "127.0.0.1");
  BOOST_TEST(records[0].bytes_out == ok->body.size());
  BOOST_TEST(records[0].duration_seconds >= 0.0);
  BOOST_TEST(records[1].route == "unmatched");
  BOOST_TEST(records[1].status == 404);
  BOOST_TEST(records[1].request_id == missing->get_header_value("X-Request-ID"));
  BOOST_TEST(nlohmann::json::parse(ok->body)["request_id"] == "req-1");
}

BOOST_AUTO_TEST_CASE(engine_errors_map_to_statuses_and_a_throwing_handler_to_500) {
  running_server s(things());
  auto c = s.client();
  auto none = c.Get("/v1/things/none");
  BOOST_REQUIRE(none);
  BOOST_TEST(none->status == 404);
  auto body = nlohmann::json::parse(none->body);
  BOOST_TEST(body["error"]["code"] == "not_found");
  BOOST_TEST(body["error"]["details"]["hint"] == "list them first");
  auto boom = c.Get("/v1/things/boom");
  BOOST_REQUIRE(boom);
  BOOST_TEST(boom->status == 500);
  BOOST_TEST(nlohmann::json::parse(boom->body)["error"]["code"] == "internal");
  BOOST_TEST(boom->get_header_value("X-Content-Type-Options") == "nosniff");
  auto after = c.Get("/v1/things/8");
  BOOST_REQUIRE(after);
  BOOST_TEST(after->status == 200);
}

BOOST_AUTO_TEST_CASE(metrics_are_served_from_the_given_source_open_or_behind_the_key) {
  api_options open;
  open.api_key = "k";
  open.metrics_text = [] { return std::string("sage_up 1\n"); };
  running_server s(things(), open);
  auto c = s.client();
  auto m = c.Get("/metrics");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->status == 200);
  BOOST_TEST(m->body == "sage_up 1\n");
  BOOST_TEST(m->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  BOOST_TEST(c.Get("/v1/things/1")->status == 401);

  api_options closed = open;
  closed.metrics_require_key = true;
  running_server t(things(), closed);
  auto d = t.client();
  BOOST_TEST(d.Get("/metrics")->status == 401);
  BOOST_TEST(d.Get("/metrics", {{"X-API-Key", "k"}})->status == 200);

  api_options off = open;
  off.metrics_on_api = false;
  running_server u(things(), off);
  BOOST_TEST(u.client().Get("/metrics", {{"X-API-Key", "k"}})->status == 404);
}

BOOST_AUTO_TEST_CASE(stop_lets_a_request_in_flight_finish) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  route_table t;
  t.add({.method = "GET",
         .pattern = "/v1/slow",
         .handle = [&entered, released](const call&) -> sage::core::result<reply> {
           entered.set_value();
           released.wait();
           return json_reply({{"done", true}});
         }});
  auto s = std::make_unique<running_server>(std::move(t));
  auto answer = std::async(std::launch::async, [c = s->client()]() mutable {
    auto r = c.Get("/v1/slow");
    return r ? r->status : -1;
  });
  entered.get_future().wait();
  std::thread stopper([&] { s->server->stop(); });
  release.set_value();
  stopper.join();
  BOOST_TEST(answer.get() == 200);
  s.reset(); // run() has returned: joins
}

BOOST_AUTO_TEST_SUITE_END()
