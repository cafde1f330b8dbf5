// The ceiling of the HTTP layer for bench/http_bench.sh: a cpp-httplib server that answers every
// GET with one fixed small JSON body, set up as `sage serve`'s API server is.
// SPDX-License-Identifier: MIT
//
// usage: http_ceiling [--port N] [--threads N] [--keep-alive-max N]
//   --port 0 (the default) takes a free port. The port is printed on stdout, one line, once
//   the server listens; SIGTERM or SIGINT stops it.
//
// The defaults are those of services/http/api_server.cpp under the default configuration
// (server.threads 16, keep-alive maximum 1000, TCP_NODELAY, one handler for every path), so
// that the difference to sage is sage's own work: its checks, routing, headers and the engine.
#include <httplib.h>

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

/// The answer to every request: about the size of a small JSON reply.
constexpr std::string_view fixed_body = R"({"status":"ok","service":"http_ceiling"})";

struct options {
  int port = 0;
  size_t threads = 16;
  size_t keep_alive_max = 1000;
};

std::optional<long> number(const char* text) {
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 0) return std::nullopt;
  return value;
}

std::optional<options> parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 == argc) return std::nullopt;
    auto value = number(argv[++i]);
    if (!value) return std::nullopt;
    if (flag == "--port")
      o.port = static_cast<int>(*value);
    else if (flag == "--threads" && *value >= 1)
      o.threads = static_cast<size_t>(*value);
    else if (flag == "--keep-alive-max" && *value >= 1)
      o.keep_alive_max = static_cast<size_t>(*value);
    else
      return std::nullopt;
  }
  return o;
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  if (!o) {
    std::cerr << "usage: http_ceiling [--port N] [--threads N] [--keep-alive-max N]\n";
    return 2;
  }

  // Blocked before any thread starts, so that only the waiting thread below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  httplib::Server server;
  auto threads = std::max<size_t>(o->threads, 2); // as api_server
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(o->keep_alive_max);
  server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(fixed_body.data(), fixed_body.size(), "application/json");
  });

  int port = o->port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
    if (port < 0) {
      std::cerr << "error: failed to bind to a free port on 127.0.0.1\n";
      return 1;
    }
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "error: failed to listen on 127.0.0.1:" << port << "\n"
              << "hint: choose another port, or --port 0 for a free one\n";
    return 1;
  }

  std::thread waiter([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    // A stop before the server runs would be lost.
    while (!server.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.stop();
  });

  std::cout << port << std::endl;
  if (!server.listen_after_bind()) {
    std::cerr << "error: failed to serve on 127.0.0.1:" << port << "\n";
    waiter.detach(); // still waiting for a signal that will not come
    return 1;
  }
  waiter.join();
  return 0;
}
