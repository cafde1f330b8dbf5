// The metrics listener.
// SPDX-License-Identifier: MIT
#include "services/telemetry/metrics_server.hpp"

#include "core/metrics.hpp"

#include <chrono>
#include <httplib.h>
#include <sys/socket.h>

namespace sage::services::telemetry {

metrics_server::metrics_server(metrics_server_options options)
    : options_(std::move(options)), http_(std::make_unique<net::guarded_server>([] {
        // Scrapers are few; the guard keeps a slow or flooding client from holding them all.
        net::guard_options g;
        g.threads = 4;
        g.over_cap_body = "too many connections from this address\n";
        g.over_cap_type = "text/plain";
        return g;
      }())) {
  auto& http = *http_;
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
  return listener_.bind(*http_, options_.host, options_.port);
}

void metrics_server::start() {
  thread_ = std::thread([this] { listener_.run(*http_); });
}

void metrics_server::stop() {
  if (!thread_.joinable()) return;
  if (listener_.begin_stop()) listener_.finish_stop(*http_);
  thread_.join();
}

} // namespace sage::services::telemetry
