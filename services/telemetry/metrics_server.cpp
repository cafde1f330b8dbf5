// The metrics listener.
// SPDX-License-Identifier: MIT
#include "services/telemetry/metrics_server.hpp"

#include "services/net/http_listener.hpp"

#include "core/metrics.hpp"

#include <chrono>
#include <httplib.h>
#include <sys/socket.h>

namespace sage::services::telemetry {

metrics_server::metrics_server(metrics_server_options options)
    : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  auto& http = *http_;
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  net::configure_listener(http);
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
  auto bound = net::bind_listener(*http_, options_.host, options_.port);
  if (auto* failed = std::get_if<std::string>(&bound)) return *failed;
  port_ = std::get<int>(bound);
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
