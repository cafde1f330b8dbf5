// Tests of the guarded server over real sockets: slow clients cut off at their deadline, a cap
// per address, idle connections giving way, framing refused, header values as sent, a stop
// that does not wait for slow clients.
// SPDX-License-Identifier: MIT
#include "services/net/guarded_server.hpp"
#include "services/net/http_listener.hpp"
#include "support/raw_client.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace sage::services::net;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

using sage::test::raw_client;

namespace {

/// A guarded server answering `/echo` with the X-Echo header and the body, on a free port.
struct served {
  explicit served(guard_options options) : http(std::move(options)) {
    http.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("X-Echo"), "text/plain");
    });
    http.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("body=[" + req.body + "]", "text/plain");
    });
    BOOST_REQUIRE(!listener.bind(http, "127.0.0.1", 0));
    runner = std::thread([this] { listener.run(http); });
    while (!http.is_running())
      std::this_thread::sleep_for(5ms);
  }
  ~served() { stop(); }

  void stop() {
    if (listener.begin_stop()) listener.finish_stop(http);
    if (runner.joinable()) runner.join();
  }

  int port() const { return listener.port(); }

  guarded_server http;
  http_listener listener;
  std::thread runner;
};

guard_options quick(std::size_t threads, std::chrono::milliseconds header_timeout) {
  guard_options o;
  o.threads = threads;
  o.header_timeout = header_timeout;
  o.body_timeout = header_timeout;
  o.over_cap_body = "over the cap";
  o.over_cap_type = "text/plain";
  return o;
}

const std::string get_echo = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Echo: hello\r\n\r\n";

/// Sends a header line every `every` on `c` from a thread of its own until told to stop.
struct slow_sender {
  slow_sender(std::shared_ptr<raw_client> c, std::chrono::milliseconds every) : client(c) {
    worker = std::thread([this, every] {
      client->send("GET /echo HTTP/1.1\r\n");
      while (!done && client->send("X-Slow: 1\r\n"))
        std::this_thread::sleep_for(every);
    });
  }
  ~slow_sender() {
    done = true;
    worker.join();
  }
  std::shared_ptr<raw_client> client;
  std::atomic<bool> done{false};
  std::thread worker;
};

} // namespace

BOOST_AUTO_TEST_SUITE(guarded_server_defences)

BOOST_AUTO_TEST_CASE(a_request_head_sent_a_line_at_a_time_is_cut_off_at_the_header_timeout) {
  served s(quick(4, 600ms));
  auto c = std::make_shared<raw_client>(s.port());
  auto start = clock_type::now();
  slow_sender slow(c, 100ms);
  c->read_until_closed(10s);
  auto took = clock_type::now() - start;
  BOOST_TEST(c->closed());
  BOOST_TEST((took >= 500ms));
  BOOST_TEST((took < 6s)); // 10x the deadline
  raw_client normal(s.port());
  normal.send(get_echo);
  BOOST_TEST(normal.read_for(5s, "hello").find("hello") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(slow_clients_of_one_address_leave_threads_for_others) {
  auto o = quick(4, 30s);
  o.max_per_address = 2;
  served s(o);
  std::vector<std::unique_ptr<slow_sender>> slow;
  for (int i = 0; i < 2; ++i)
    slow.push_back(
        std::make_unique<slow_sender>(std::make_shared<raw_client>(s.port(), "127.0.0.2"), 200ms));
  std::this_thread::sleep_for(300ms);
  // A third from the same address is refused at once; another address is served at once.
  raw_client third(s.port(), "127.0.0.2");
  auto refused = third.read_until_closed(5s);
  BOOST_TEST(refused.find("503") != std::string::npos);
  BOOST_TEST(refused.find("over the cap") != std::string::npos);
  auto start = clock_type::now();
  raw_client normal(s.port());
  normal.send(get_echo);
  BOOST_TEST(normal.read_for(5s, "hello").find("hello") != std::string::npos);
  BOOST_TEST((clock_type::now() - start < 3s));
  s.stop();
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_give_their_thread_to_a_waiting_one) {
  auto o = quick(2, 5s);
  o.idle_timeout = 30s;
  o.max_per_address = 3;
  served s(o);
  raw_client a(s.port()), b(s.port());
  a.send(get_echo);
  b.send(get_echo);
  BOOST_TEST(a.read_for(5s, "hello").find("hello") != std::string::npos);
  BOOST_TEST(b.read_for(5s, "hello").find("hello") != std::string::npos);
  // Both threads now wait on idle keep-alive connections; a third client is served anyway.
  auto start = clock_type::now();
  raw_client c(s.port());
  c.send(get_echo);
  BOOST_TEST(c.read_for(10s, "hello").find("hello") != std::string::npos);
  BOOST_TEST((clock_type::now() - start < 5s));
}

BOOST_AUTO_TEST_CASE(stop_does_not_wait_for_clients_still_sending_their_request) {
  served s(quick(4, 60s));
  std::vector<std::unique_ptr<slow_sender>> slow;
  for (int i = 0; i < 4; ++i)
    slow.push_back(std::make_unique<slow_sender>(std::make_shared<raw_client>(s.port()), 500ms));
  std::this_thread::sleep_for(300ms);
  auto start = clock_type::now();
  s.stop();
  BOOST_TEST((clock_type::now() - start < 2s));
}

BOOST_AUTO_TEST_CASE(two_content_lengths_or_a_coding_beside_one_are_refused_and_closed) {
  served s(quick(4, 5s));
  for (auto head :
       {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 9\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Length: 4\r\n\r\n"}) {
    raw_client c(s.port());
    c.send(std::string(head) + "abcdGET /echo HTTP/1.1\r\nHost: x\r\nX-Echo: smuggled\r\n\r\n");
    auto answer = c.read_until_closed(5s);
    BOOST_TEST(answer.find("HTTP/1.1 400") == 0u, answer);
    BOOST_TEST(answer.find("smuggled") == std::string::npos);
    BOOST_TEST(c.closed());
  }
}

BOOST_AUTO_TEST_CASE(a_post_without_content_length_has_no_body_and_is_answered_at_once) {
  served s(quick(4, 5s));
  raw_client c(s.port());
  auto start = clock_type::now();
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answer = c.read_for(10s, "body=[]");
  BOOST_TEST(answer.find("body=[]") != std::string::npos, answer);
  BOOST_TEST((clock_type::now() - start < 2s)); // httplib alone waited its 5 s read timeout
}

BOOST_AUTO_TEST_CASE(header_values_reach_handlers_as_sent) {
  served s(quick(4, 5s));
  raw_client c(s.port());
  c.send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Echo: abc%41def%00junk\r\n\r\n");
  auto answer = c.read_for(5s, "junk");
  BOOST_TEST(answer.find("abc%41def%00junk") != std::string::npos, answer);
  raw_client nul(s.port());
  nul.send(std::string("GET /echo HTTP/1.1\r\nHost: x\r\nX-Echo: key\0junk\r\n\r\n", 49));
  auto refused = nul.read_until_closed(5s);
  BOOST_TEST(refused.find("HTTP/1.1 400") == 0u, refused);
  BOOST_TEST(refused.find("control character") != std::string::npos, refused);
}

BOOST_AUTO_TEST_SUITE_END()
