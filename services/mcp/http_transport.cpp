// The MCP Streamable HTTP transport on cpp-httplib: checks, POST, GET and DELETE, SSE streams.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_transport.hpp"

#include "services/net/host_check.hpp"
#include "services/net/http_listener.hpp"
#include "services/net/rate_limiter.hpp"

#include "core/uuid.hpp"
#include "services/mcp/http_session.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace sage::services::mcp {
namespace {

using nlohmann::json;
using clock_type = http_session::clock_type;

constexpr const char* session_header = "Mcp-Session-Id";
constexpr const char* version_header = "MCP-Protocol-Version";
constexpr const char* json_type = "application/json";
/// Exactly this, without parameters: httplib then never compresses the stream (a compressor
/// would hold events back).
constexpr const char* sse_type = "text/event-stream";
constexpr const char* allowed_methods = "GET, POST, DELETE";

/// How often a waiting stream checks that its client is still connected (a closed connection
/// is seen at once; a dead peer only by the keep-alive comment failing).
constexpr auto connection_check = std::chrono::seconds(1);

std::string key_of(const json& id) {
  return id.dump();
}

/// Sends an HTTP error whose body is a JSON-RPC error response without id (as the spec allows).
void refuse(httplib::Response& res, int status, error_code code, std::string message,
            const std::optional<request_id>& id = std::nullopt) {
  res.status = status;
  res.set_content(serialize(error_response(id, make_error(code, std::move(message)))), json_type);
}

std::string sse_event(const json& message) {
  return "event: message\ndata: " + serialize(message) + "\n\n";
}

bool write(httplib::DataSink& sink, const std::string& text) {
  return sink.write(text.data(), text.size());
}

/// Headers of every SSE stream: no caching, and no buffering by proxies that honour it.
void start_stream(httplib::Response& res) {
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
}

net::guard_options guard_options_of(const http_options& o) {
  net::guard_options g;
  g.header_timeout = o.header_timeout;
  g.body_timeout = o.body_timeout;
  g.threads = std::max<std::size_t>(o.threads, 2);
  g.max_per_address = o.max_connections_per_address;
  g.over_cap_body = serialize(error_response(
      std::nullopt, make_error(error_code::internal_error,
                               "too many connections from this address: reuse one or close idle "
                               "ones (server.max_connections_per_address)")));
  g.refuse = [](httplib::Response& res, int status, const std::string& message) {
    refuse(res, status, error_code::invalid_request, message);
  };
  if (o.log)
    g.log = [log = o.log](const std::string& message, const std::string& detail) {
      log(message, {{"detail", detail}});
    };
  return g;
}

} // namespace

struct http_transport::impl {
  std::shared_ptr<const server> srv;
  http_options options;
  net::host_policy hosts;
  net::rate_limiter limiter;
  net::guarded_server http;
  net::http_listener listener;
  bool loopback = true;
  std::size_t max_streams = 1;

  mutable std::mutex sessions_mutex;
  std::map<std::string, std::shared_ptr<http_session>> sessions;

  std::atomic<std::size_t> open_streams{0};

  impl(std::shared_ptr<const server> s, http_options o)
      : srv(std::move(s)), options(std::move(o)),
        hosts(net::is_loopback_host(options.host), options.allowed_hosts),
        limiter(options.rate_per_second, options.rate_burst), http(guard_options_of(options)),
        loopback(net::is_loopback_host(options.host)) {
    auto threads = std::max<std::size_t>(options.threads, 2);
    max_streams = options.max_streams > 0 ? std::min(options.max_streams, threads - 1)
                                          : std::max<std::size_t>(threads / 2, 1);
  }

  void log(std::string_view event, const json& fields) const {
    if (options.log) options.log(event, fields);
  }

  // -- checks ------------------------------------------------------------------------------------

  /// Origin, Host and key validation, before anything else (and before the body is read).
  bool allowed(const httplib::Request& req, httplib::Response& res) {
    auto host_header = req.get_header_value("Host");
    if (!hosts.host_allowed(host_header)) {
      log("refused request", {{"reason", "host not allowed"}, {"host", host_header}});
      refuse(res, 403, error_code::invalid_request,
             "host not allowed: this endpoint answers to loopback names only (add others to "
             "server.allowed_hosts)");
      return false;
    }
    if (req.has_header("Origin")) {
      auto origin = req.get_header_value("Origin");
      auto origin_host = net::host_of_origin(origin);
      auto host = net::host_of_authority(host_header);
      bool ok = hosts.origin_allowed(origin) ||
                (!loopback && origin_host && host && *origin_host == *host);
      if (!ok) {
        log("refused request",
            {{"reason", "origin not allowed"}, {"origin", req.get_header_value("Origin")}});
        refuse(res, 403, error_code::invalid_request, "origin not allowed");
        return false;
      }
    }
    if (options.check_key && !options.check_key(req.get_header_value("X-API-Key"),
                                                req.get_header_value("Authorization"))) {
      log("refused request", {{"reason", "missing or wrong api key"}});
      res.set_header("WWW-Authenticate", "Bearer realm=\"sage\"");
      refuse(res, 401, error_code::invalid_request,
             "missing or wrong api key: send Authorization: Bearer KEY or X-API-Key: KEY");
      return false;
    }
    if (auto wait = limiter.take(req.remote_addr); wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      refuse(res, 429, error_code::internal_error,
             "too many requests: try again in " + std::to_string(wait) + " s");
      return false;
    }
    return true;
  }

  static accepted_types accepted(const httplib::Request& req) {
    return parse_accept(req.get_header_value("Accept"), req.has_header("Accept"));
  }

  bool expired(const http_session& s, clock_type::time_point now) const {
    return !s.busy() && now - s.last_active() >= options.session_idle_timeout;
  }

  /// The live session `id`; one idle past its time ends here (and is nothing).
  std::shared_ptr<http_session> find_session(const std::string& id) {
    std::shared_ptr<http_session> found;
    {
      std::lock_guard lock(sessions_mutex);
      auto it = sessions.find(id);
      if (it == sessions.end()) return nullptr;
      found = it->second;
      if (!expired(*found, clock_type::now())) return found;
      sessions.erase(it);
    }
    end_session(*found, "idle for longer than mcp.session_idle_timeout");
    return nullptr;
  }

  void end_session(http_session& s, const std::string& reason) const {
    s.end();
    log("session ended", {{"session", s.id()}, {"reason", reason}});
  }

  /// Makes room for one more session: ends the expired ones, then, when still full, the least
  /// recently used idle one. False when every session is busy.
  bool make_room() {
    std::vector<std::shared_ptr<http_session>> gone;
    bool room = false;
    {
      std::lock_guard lock(sessions_mutex);
      auto now = clock_type::now();
      for (auto it = sessions.begin(); it != sessions.end();) {
        if (expired(*it->second, now)) {
          gone.push_back(it->second);
          it = sessions.erase(it);
        } else {
          ++it;
        }
      }
      if (sessions.size() >= options.max_sessions) {
        auto oldest = sessions.end();
        for (auto it = sessions.begin(); it != sessions.end(); ++it)
          if (!it->second->busy() && (oldest == sessions.end() ||
                                      it->second->last_active() < oldest->second->last_active()))
            oldest = it;
        if (oldest != sessions.end()) {
          log("evicting idle session",
              {{"session", oldest->first}, {"reason", "mcp.max_sessions reached"}});
          gone.push_back(oldest->second);
          sessions.erase(oldest);
        }
      }
      room = sessions.size() < options.max_sessions;
    }
    for (auto& s : gone)
      end_session(*s, "expired or evicted for a new session");
    return room;
  }

  /// The session named by the request's header, or an HTTP error already set in `res`.
  std::shared_ptr<http_session> session_of(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header(session_header)) {
      refuse(res, 400, error_code::invalid_request,
             "missing Mcp-Session-Id header: send initialize first");
      return nullptr;
    }
    auto found = find_session(req.get_header_value(session_header));
    if (!found) {
      refuse(res, 404, error_code::invalid_request,
             "unknown or ended session: send initialize to start a new one");
      return nullptr;
    }
    if (req.has_header(version_header)) {
      auto version = req.get_header_value(version_header);
      auto supported =
          std::find(supported_protocol_versions.begin(), supported_protocol_versions.end(),
                    version) != supported_protocol_versions.end();
      if (!supported) {
        refuse(res, 400, error_code::invalid_request,
               "unsupported MCP-Protocol-Version: " + version);
        return nullptr;
      }
    }
    return found;
  }

  std::shared_ptr<http_session> new_session() {
    session_options so;
    so.bounds = options.bounds;
    so.log = options.log;
    return http_session::make(core::new_uuid(), srv, std::move(so), options.outbox_limit);
  }

  // -- answering -------------------------------------------------------------------------------

  /// One body: JSON, or SSE events when the client takes only SSE or notifications of the
  /// request come before its answer (they must not be lost, nor go elsewhere).
  static void answer(httplib::Response& res, const accepted_types& accept,
                     const std::vector<json>& notifications, const json& message) {
    res.status = 200;
    if (accept.json_ok() && (notifications.empty() || !accept.sse)) {
      res.set_content(serialize(message), json_type);
      return;
    }
    std::string body;
    for (const auto& n : notifications)
      body += sse_event(n);
    body += sse_event(message);
    res.set_content(body, sse_type);
  }

  json gave_up(const http_session& s, const std::string& key, const request& r,
               const std::string& reason) const {
    log("gave up waiting for an answer",
        {{"session", s.id()}, {"id", key}, {"method", r.method}, {"reason", reason}});
    return error_response(
        r.id, make_error(error_code::internal_error, reason + " before the answer came"));
  }

  /// Waits for the deferred answer to `key`; the error to send when none comes in time.
  json wait_for_answer(http_session& s, const std::string& key, const request& r) {
    auto deadline = clock_type::now() + options.answer_timeout;
    while (true) {
      auto out = s.wait_request(key, deadline, deadline);
      if (out.answer) return std::move(*out.answer);
      if (out.gave_up) return gave_up(s, key, r, *out.gave_up);
    }
  }

  /// Answers request `r` as an SSE stream: its notifications as they come, then its answer
  /// (or the error when none comes in time), then the end of the stream.
  void stream_answer(httplib::Response& res, std::shared_ptr<http_session> s, std::string key,
                     request r) {
    start_stream(res);
    auto deadline = clock_type::now() + options.answer_timeout;
    auto provider = [this, s, key, r = std::move(r), deadline](std::size_t,
                                                               httplib::DataSink& sink) {
      // One call writes the whole stream: httplib stops calling a provider once the server
      // stops, and the drain still owes this client its answer.
      while (true) {
        auto out = s->wait_request(key, deadline, clock_type::now() + connection_check);
        for (const auto& n : out.notifications)
          if (!write(sink, sse_event(n))) return client_gone(*s, key);
        if (out.answer || out.gave_up) {
          auto last = out.answer ? std::move(*out.answer) : gave_up(*s, key, r, *out.gave_up);
          if (!write(sink, sse_event(last))) return client_gone(*s, key);
          sink.done();
          return true;
        }
        if (!sink.is_writable()) return client_gone(*s, key);
      }
    };
    // Whatever happened (also a stream never started), the request is no longer waited for.
    res.set_chunked_content_provider(sse_type, std::move(provider),
                                     [s, key](bool) { s->forget(key); });
  }

  /// The client of a POST stream went away: not a cancellation (the spec says so), the answer
  /// will be dropped. False, for the provider to return.
  bool client_gone(http_session& s, const std::string& key) const {
    log("client went away from its stream",
        {{"session", s.id()}, {"id", key}, {"note", "the request goes on; its answer is dropped"}});
    return false;
  }

  // -- POST ------------------------------------------------------------------------------------

  void on_post(const httplib::Request& req, httplib::Response& res) {
    if (media_type(req.get_header_value("Content-Type")) != json_type) {
      refuse(res, 415, error_code::invalid_request, "Content-Type must be application/json");
      return;
    }
    auto accept = accepted(req);
    if (accept.present && !accept.json && !accept.sse && !accept.any) {
      refuse(res, 406, error_code::invalid_request,
             "Accept must include application/json or text/event-stream");
      return;
    }
    if (req.body.size() > options.bounds.max_bytes) {
      refuse(res, 413, error_code::invalid_request, "message too large");
      return;
    }
    auto msg = parse_message(req.body, options.bounds);
    if (auto* bad = std::get_if<invalid_message>(&msg)) {
      res.status = 400;
      res.set_content(serialize(error_response(bad->id, bad->error)), json_type);
      return;
    }
    auto* r = std::get_if<request>(&msg);
    std::shared_ptr<http_session> s;
    bool created = false;
    if (r && r->method == "initialize" && !req.has_header(session_header)) {
      if (!make_room()) {
        refuse(res, 503, error_code::internal_error,
               "too many sessions, all of them busy: try again later", r->id);
        return;
      }
      s = new_session();
      created = true;
    } else {
      s = session_of(req, res);
      if (!s) return;
    }
    if (!r) {
      s->handle(msg);
      res.status = 202;
      return;
    }
    auto key = key_of(to_json(r->id));
    // A client that reads SSE gets the request's notifications on the request's own stream.
    if (!s->expect(key, accept.sse)) {
      answer(res, accept, {},
             error_response(r->id, make_error(error_code::invalid_request,
                                              "a request with this id is still in progress")));
      return;
    }
    auto direct = s->handle(msg);
    if (!direct) {
      if (accept.sse) {
        stream_answer(res, s, key, *r);
        return;
      }
      answer(res, accept, {}, wait_for_answer(*s, key, *r));
      return;
    }
    auto notifications = s->forget(key);
    if (created && !direct->contains("error")) { // a failed initialize starts no session
      {
        std::lock_guard lock(sessions_mutex);
        sessions.emplace(s->id(), s);
      }
      log("session started", {{"session", s->id()},
                              {"client", s->mcp().client_info()},
                              {"protocol_version", *s->mcp().protocol_version()}});
      res.set_header(session_header, s->id());
    }
    answer(res, accept, notifications, *direct);
  }

  // -- GET -------------------------------------------------------------------------------------

  void on_get(const httplib::Request& req, httplib::Response& res) {
    if (!accepted(req).sse_ok()) {
      refuse(res, 406, error_code::invalid_request,
             "Accept must include text/event-stream: GET opens the session's SSE stream");
      return;
    }
    auto s = session_of(req, res);
    if (!s) return;
    if (listener.stopping()) {
      refuse(res, 503, error_code::internal_error, "the server is stopping");
      return;
    }
    if (open_streams.fetch_add(1) >= max_streams) {
      --open_streams;
      log("refused stream", {{"session", s->id()}, {"reason", "too many streams"}});
      refuse(res, 503, error_code::internal_error,
             "too many open streams: try again later; POST requests are still served");
      return;
    }
    if (!s->open_stream()) {
      --open_streams;
      refuse(res, 409, error_code::invalid_request,
             "a GET stream is open for this session already: use that one, or close it before "
             "opening another");
      return;
    }
    log("stream opened", {{"session", s->id()}});
    start_stream(res);
    // Notifications taken but not written go back to the outbox for the next stream.
    auto unsent = std::make_shared<std::vector<json>>();
    auto provider = [this, s, unsent](std::size_t, httplib::DataSink& sink) {
      // A first comment at once: clients and proxies that hold the headers back until body
      // bytes come see the stream open now, not at the first keep-alive.
      if (!write(sink, ": stream open\n\n")) return false;
      auto next_keepalive = clock_type::now() + options.keepalive;
      while (true) {
        auto out = s->wait_stream(std::min(next_keepalive, clock_type::now() + connection_check));
        for (std::size_t i = 0; i < out.notifications.size(); ++i)
          if (!write(sink, sse_event(out.notifications[i]))) {
            unsent->assign(std::make_move_iterator(out.notifications.begin() + i),
                           std::make_move_iterator(out.notifications.end()));
            return false;
          }
        if (out.over) {
          sink.done();
          return true;
        }
        if (clock_type::now() >= next_keepalive) {
          if (!write(sink, ": keep-alive\n\n")) return false;
          next_keepalive = clock_type::now() + options.keepalive;
        } else if (!sink.is_writable()) {
          return false;
        }
      }
    };
    auto releaser = [this, s, unsent](bool) {
      s->close_stream(std::move(*unsent));
      --open_streams;
      log("stream closed", {{"session", s->id()}});
    };
    res.set_chunked_content_provider(sse_type, std::move(provider), std::move(releaser));
  }

  // -- DELETE ----------------------------------------------------------------------------------

  void on_delete(const httplib::Request& req, httplib::Response& res) {
    auto s = session_of(req, res);
    if (!s) return;
    {
      std::lock_guard lock(sessions_mutex);
      sessions.erase(s->id());
    }
    s->end();
    log("session ended", {{"session", s->id()}});
    res.status = 204;
  }

  /// Ends the GET streams and gives waiting requests `drain_grace`.
  void stop_sessions() {
    std::vector<std::shared_ptr<http_session>> all;
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [id, s] : sessions)
        all.push_back(s);
    }
    auto drain_until = clock_type::now() + options.drain_grace;
    for (auto& s : all)
      s->stop(drain_until);
  }
};

// -- transport ----------------------------------------------------------------------------------

http_transport::http_transport(std::shared_ptr<const server> srv, http_options options)
    : impl_(std::make_unique<impl>(std::move(srv), std::move(options))) {
  auto& d = *impl_;
  auto& http = d.http;
  http.set_payload_max_length(d.options.bounds.max_bytes);
  // httplib sends a response's headers and body in two writes; under Nagle's algorithm the
  // body waits for the client's delayed ACK of the headers, ≈ 40 ms per answer on Linux.
  net::configure_listener(http);
  http.set_pre_routing_handler([&d](const httplib::Request& req, httplib::Response& res) {
    return d.allowed(req, res) ? httplib::Server::HandlerResponse::Unhandled
                               : httplib::Server::HandlerResponse::Handled;
  });
  http.Post(d.options.path,
            [&d](const httplib::Request& req, httplib::Response& res) { d.on_post(req, res); });
  http.Delete(d.options.path,
              [&d](const httplib::Request& req, httplib::Response& res) { d.on_delete(req, res); });
  http.Get(d.options.path,
           [&d](const httplib::Request& req, httplib::Response& res) { d.on_get(req, res); });
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", allowed_methods);
    refuse(res, 405, error_code::invalid_request,
           req.method + " is not allowed: POST messages, GET the session's stream, DELETE the "
                        "session");
  };
  http.Put(d.options.path, not_allowed);
  http.Patch(d.options.path, not_allowed);
  http.set_exception_handler(
      [&d](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        d.log("failed to handle http request", {{"reason", what}});
        refuse(res, 500, error_code::internal_error, "internal error");
      });
  // Statuses set by httplib itself (413, 404 for other paths, 400 for bad HTTP) get a
  // JSON-RPC error body too.
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        auto message = res.status == 413   ? std::string("message too large")
                       : res.status == 404 ? std::string("not found: the MCP endpoint is /mcp")
                                           : "http error " + std::to_string(res.status);
        refuse(res, res.status, error_code::invalid_request, message);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

http_transport::~http_transport() = default;

std::optional<std::string> http_transport::bind() {
  auto& d = *impl_;
  return d.listener.bind(d.http, d.options.host, d.options.port);
}

int http_transport::port() const {
  return impl_->listener.port();
}

void http_transport::run() {
  auto& d = *impl_;
  d.listener.run(d.http);
}

void http_transport::stop() {
  auto& d = *impl_;
  if (!d.listener.begin_stop()) return;
  d.stop_sessions();
  d.listener.finish_stop(d.http);
}

} // namespace sage::services::mcp
