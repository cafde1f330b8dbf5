// The MCP Streamable HTTP transport on cpp-httplib.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_transport.hpp"

#include "core/uuid.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace sage::services::mcp {
namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

constexpr const char* session_header = "Mcp-Session-Id";
constexpr const char* version_header = "MCP-Protocol-Version";
constexpr const char* json_type = "application/json";
constexpr const char* sse_type = "text/event-stream";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// The media type of a Content-Type or Accept item without parameters, lower case.
std::string media_type(std::string_view value) {
  return lower(trim(value.substr(0, value.find(';'))));
}

/// The host part of a `Host` header value or of an authority: `[::1]:8001` -> `::1`.
std::string host_of_authority(std::string_view authority) {
  authority = trim(authority);
  if (authority.starts_with('[')) {
    auto end = authority.find(']');
    return lower(authority.substr(1, end == std::string_view::npos ? end : end - 1));
  }
  return lower(authority.substr(0, authority.find(':')));
}

/// The host of an `Origin` (`scheme://host[:port]`); empty for `null` or anything else odd.
std::string host_of_origin(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto authority = origin.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  return host_of_authority(authority);
}

std::string key_of(const json& id) {
  return id.dump();
}

/// Sends an HTTP error whose body is a JSON-RPC error response without id (as the spec allows).
void refuse(httplib::Response& res, int status, error_code code, std::string message,
            const std::optional<request_id>& id = std::nullopt) {
  res.status = status;
  res.set_content(serialize(error_response(id, make_error(code, std::move(message)))), json_type);
}

} // namespace

bool is_loopback_host(std::string_view host) {
  auto h = lower(host);
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  return h == "localhost" || h == "::1" || h.starts_with("127.");
}

// -- sessions -----------------------------------------------------------------------------------

/// One client's session and the answers its pending requests wait for.
struct http_session {
  std::string id;
  /// Serialises `handle`: a session is single-threaded.
  std::mutex handle_mutex;
  std::unique_ptr<session> mcp;

  std::mutex answers_mutex;
  std::condition_variable answered;
  /// Ids of requests whose POST waits for a deferred answer, and the answers that came.
  std::set<std::string> waiting;
  std::map<std::string, json> answers;
  bool ended = false;
};

struct http_transport::impl {
  std::shared_ptr<const server> srv;
  http_options options;
  httplib::Server http;
  int bound_port = -1;
  bool loopback = true;

  mutable std::mutex sessions_mutex;
  std::map<std::string, std::shared_ptr<http_session>> sessions;

  std::atomic<bool> stopping{false};
  std::atomic<bool> run_done{false};
  std::atomic<clock_type::rep> stop_time{0};

  impl(std::shared_ptr<const server> s, http_options o)
      : srv(std::move(s)), options(std::move(o)), loopback(is_loopback_host(options.host)) {}

  void log(std::string_view event, const json& fields) const {
    if (options.log) options.log(event, fields);
  }

  // -- checks ------------------------------------------------------------------------------------

  /// Origin and Host validation, before anything else (and before the body is read).
  bool allowed(const httplib::Request& req, httplib::Response& res) const {
    auto host = host_of_authority(req.get_header_value("Host"));
    if (loopback && req.has_header("Host") && !is_loopback_host(host)) {
      log("refused request", {{"reason", "host not allowed"}, {"host", host}});
      refuse(res, 403, error_code::invalid_request, "host not allowed");
      return false;
    }
    if (req.has_header("Origin")) {
      auto origin = host_of_origin(req.get_header_value("Origin"));
      bool ok = !origin.empty() && (is_loopback_host(origin) || (!loopback && origin == host));
      if (!ok) {
        log("refused request",
            {{"reason", "origin not allowed"}, {"origin", req.get_header_value("Origin")}});
        refuse(res, 403, error_code::invalid_request, "origin not allowed");
        return false;
      }
    }
    return true;
  }

  std::shared_ptr<http_session> find_session(const std::string& id) const {
    std::lock_guard lock(sessions_mutex);
    auto it = sessions.find(id);
    return it == sessions.end() ? nullptr : it->second;
  }

  /// The session named by the request's header, or an HTTP error already set in `res`.
  std::shared_ptr<http_session> session_of(const httplib::Request& req,
                                           httplib::Response& res) const {
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
    auto s = std::make_shared<http_session>();
    s->id = core::new_uuid();
    std::weak_ptr<http_session> weak = s;
    session_options so;
    so.bounds = options.bounds;
    so.log = options.log;
    so.sink = [weak, this_log = options.log](json message) {
      auto target = weak.lock();
      if (!target) return;
      // Only answers to waiting requests can be delivered: there is no GET stream for
      // server-initiated messages yet.
      if (!message.contains("id") || message.contains("method")) return;
      auto key = key_of(message["id"]);
      std::lock_guard lock(target->answers_mutex);
      if (!target->waiting.contains(key)) {
        if (this_log) this_log("dropped late answer", {{"session", target->id}, {"id", key}});
        return;
      }
      target->answers[key] = std::move(message);
      target->answered.notify_all();
    };
    s->mcp = std::make_unique<session>(srv, std::move(so));
    return s;
  }

  // -- answering -------------------------------------------------------------------------------

  static void answer(const httplib::Request& req, httplib::Response& res, const json& message) {
    res.status = 200;
    auto text = serialize(message);
    bool json_ok = true;
    if (req.has_header("Accept")) {
      json_ok = false;
      auto accept_header = req.get_header_value("Accept");
      std::string_view accept = accept_header;
      while (!accept.empty()) {
        auto comma = accept.find(',');
        auto type = media_type(accept.substr(0, comma));
        if (type == json_type || type == "application/*" || type == "*/*") json_ok = true;
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
      }
    }
    if (json_ok)
      res.set_content(text, json_type);
    else
      res.set_content("event: message\ndata: " + text + "\n\n", sse_type);
  }

  /// Waits for the deferred answer to `key`; the error to send when none comes in time.
  json wait_for_answer(http_session& s, const std::string& key, const request& r) {
    auto deadline = clock_type::now() + options.answer_timeout;
    std::unique_lock lock(s.answers_mutex);
    while (true) {
      if (auto it = s.answers.find(key); it != s.answers.end()) {
        auto message = std::move(it->second);
        s.answers.erase(it);
        s.waiting.erase(key);
        return message;
      }
      auto limit = deadline;
      if (stopping) {
        auto stop_deadline =
            clock_type::time_point(clock_type::duration(stop_time.load())) + options.drain_grace;
        limit = std::min(limit, stop_deadline);
      }
      if (s.ended || clock_type::now() >= limit) break;
      s.answered.wait_until(lock, limit);
    }
    s.waiting.erase(key);
    auto reason = s.ended ? "session ended" : stopping ? "server stopping" : "timed out";
    log("gave up waiting for an answer",
        {{"session", s.id}, {"id", key}, {"method", r.method}, {"reason", reason}});
    return error_response(r.id, make_error(error_code::internal_error,
                                           std::string(reason) + " before the answer came"));
  }

  void on_post(const httplib::Request& req, httplib::Response& res) {
    if (media_type(req.get_header_value("Content-Type")) != json_type) {
      refuse(res, 415, error_code::invalid_request, "Content-Type must be application/json");
      return;
    }
    if (req.has_header("Accept")) {
      auto accept_header = req.get_header_value("Accept");
      std::string_view accept = accept_header;
      bool ok = false;
      while (!accept.empty()) {
        auto comma = accept.find(',');
        auto type = media_type(accept.substr(0, comma));
        ok = ok || type == json_type || type == sse_type || type == "application/*" ||
             type == "text/*" || type == "*/*";
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
      }
      if (!ok) {
        refuse(res, 406, error_code::invalid_request,
               "Accept must include application/json or text/event-stream");
        return;
      }
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
      {
        std::lock_guard lock(sessions_mutex);
        if (sessions.size() >= options.max_sessions) {
          refuse(res, 503, error_code::internal_error, "too many sessions: try again later", r->id);
          return;
        }
      }
      s = new_session();
      created = true;
    } else {
      s = session_of(req, res);
      if (!s) return;
    }
    if (!r) {
      std::lock_guard lock(s->handle_mutex);
      s->mcp->handle(msg);
      res.status = 202;
      return;
    }
    auto key = key_of(to_json(r->id));
    {
      std::lock_guard lock(s->answers_mutex);
      if (s->waiting.contains(key)) {
        answer(req, res,
               error_response(r->id, make_error(error_code::invalid_request,
                                                "a request with this id is still in progress")));
        return;
      }
      s->waiting.insert(key);
    }
    std::optional<json> direct;
    {
      std::lock_guard lock(s->handle_mutex);
      direct = s->mcp->handle(msg);
    }
    json reply;
    if (direct) {
      std::lock_guard lock(s->answers_mutex);
      s->waiting.erase(key);
      reply = std::move(*direct);
    } else {
      reply = wait_for_answer(*s, key, *r);
    }
    if (created) {
      if (reply.contains("error")) {
        answer(req, res, reply); // a failed initialize starts no session
        return;
      }
      {
        std::lock_guard lock(sessions_mutex);
        sessions.emplace(s->id, s);
      }
      log("session started", {{"session", s->id},
                              {"client", s->mcp->client_info()},
                              {"protocol_version", *s->mcp->protocol_version()}});
      res.set_header(session_header, s->id);
    }
    answer(req, res, reply);
  }

  void on_delete(const httplib::Request& req, httplib::Response& res) {
    auto s = session_of(req, res);
    if (!s) return;
    {
      std::lock_guard lock(sessions_mutex);
      sessions.erase(s->id);
    }
    {
      std::lock_guard lock(s->answers_mutex);
      s->ended = true;
      s->answered.notify_all();
    }
    log("session ended", {{"session", s->id}});
    res.status = 204;
  }

  void wake_all_waiters() {
    std::vector<std::shared_ptr<http_session>> all;
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [id, s] : sessions)
        all.push_back(s);
    }
    for (auto& s : all) {
      std::lock_guard lock(s->answers_mutex);
      s->answered.notify_all();
    }
  }
};

// -- transport ----------------------------------------------------------------------------------

http_transport::http_transport(std::shared_ptr<const server> srv, http_options options)
    : impl_(std::make_unique<impl>(std::move(srv), std::move(options))) {
  auto& d = *impl_;
  auto& http = d.http;
  auto threads = std::max<std::size_t>(d.options.threads, 2);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(d.options.bounds.max_bytes);
  // httplib sends a response's headers and body in two writes; under Nagle's algorithm the
  // body waits for the client's delayed ACK of the headers, ≈ 40 ms per answer on Linux.
  http.set_tcp_nodelay(true);
  http.set_pre_routing_handler([&d](const httplib::Request& req, httplib::Response& res) {
    return d.allowed(req, res) ? httplib::Server::HandlerResponse::Unhandled
                               : httplib::Server::HandlerResponse::Handled;
  });
  http.Post(d.options.path,
            [&d](const httplib::Request& req, httplib::Response& res) { d.on_post(req, res); });
  http.Delete(d.options.path,
              [&d](const httplib::Request& req, httplib::Response& res) { d.on_delete(req, res); });
  http.Get(d.options.path, [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Allow", "POST, DELETE");
    refuse(res, 405, error_code::invalid_request,
           "no server-to-client stream: send messages with POST");
  });
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
  if (d.options.port == 0) {
    d.bound_port = d.http.bind_to_any_port(d.options.host);
    if (d.bound_port < 0) return "failed to bind to a free port on " + d.options.host;
  } else {
    if (!d.http.bind_to_port(d.options.host, d.options.port))
      return "failed to listen on " + d.options.host + ":" + std::to_string(d.options.port) +
             " (port in use or host not local)";
    d.bound_port = d.options.port;
  }
  return std::nullopt;
}

int http_transport::port() const {
  return impl_->bound_port;
}

void http_transport::run() {
  auto& d = *impl_;
  if (!d.stopping) d.http.listen_after_bind();
  d.run_done = true;
}

void http_transport::stop() {
  auto& d = *impl_;
  if (d.stopping.exchange(true)) return;
  d.stop_time = clock_type::now().time_since_epoch().count();
  d.wake_all_waiters();
  // `listen_after_bind` may not have set the server running yet; stopping before that would
  // be lost.
  while (d.bound_port >= 0 && !d.run_done && !d.http.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  d.http.stop();
}

std::size_t http_transport::session_count() const {
  std::lock_guard lock(impl_->sessions_mutex);
  return impl_->sessions.size();
}

} // namespace sage::services::mcp
