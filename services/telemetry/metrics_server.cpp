// The metrics listener.
// SPDX-License-Identifier: MIT
#include "services/telemetry/metrics_server.hpp"

#include "core/metrics.hpp"

#include <chrono>
#include <httplib.h>
#include <sys/socket.h>

namespace sage::services::telemetry {

metrics_server::metrics_server(metrics_server_options options)
    : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  auto& http = *http_;
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, with which a second process binds the same port and
  // the kernel splits scrapes between the two; a port in use must be an error instead.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(options_.text ? options_.text() : std::string{},
                    std::string(core::prometheus_content_type));
  });
  auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET");
    res.set_content("method not allowed: scrape /metrics with GET\n", "text/plain");
  };
  http.Post("/metrics", not_allowed);
  http.Put("/metrics", not_allowed);
  http.Delete("/metrics", not_allowed);
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404 && res.body.empty())
      res.set_content("not found: metrics are at /metrics\n", "text/plain");
  });
}

metrics_server::~metrics_server() {
  stop();
}

std::optional<std::string> metrics_server::bind() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ < 0) return "failed to bind to a free port on " + options_.host;
  } else {
    if (!http_->bind_to_port(options_.host, options_.port))
      return "failed to listen on " + options_.host + ":" + std::to_string(options_.port) +
             " (port in use or host not local)";
    port_ = options_.port;
  }
  return std::nullopt;
}

void metrics_server::start() {
  thread_ = std::thread([this] {
    http_->listen_after_bind();
    done_ = true;
  });
}

void metrics_server::stop() {
  if (!thread_.joinable()) return;
  // `listen_after_bind` may not be running yet; a stop before that would be lost.
  while (!http_->is_running() && !done_)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  http_->stop();
  thread_.join();
}

} // namespace sage::services::telemetry
