// The REST API server on cpp-httplib: one dispatcher for every method, so that 404, 405 with
// `Allow`, CORS preflights and the checks in front of the routes are answered in one place.
// SPDX-License-Identifier: MIT
#include "services/http/api_server.hpp"

#include "core/json_parse.hpp"

#include "services/net/http_listener.hpp"

#include "services/http/errors.hpp"
#include "services/http/openapi.hpp"
#include "services/http/router.hpp"
#include "services/http/security.hpp"
#include "services/net/host_check.hpp"
#include "services/net/rate_limiter.hpp"

#include "core/catalogue/schema_check.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace sage::services::http {
namespace {

using clock_type = std::chrono::steady_clock;

/// Headers httplib adds to every request itself; not counted against the header limit.
bool added_by_httplib(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The media type of a Content-Type value without parameters, lower case.
std::string media_type(std::string_view value) {
  auto type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
    type.remove_prefix(1);
  return lower(type);
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

/// The message of an error status httplib answers by itself (before any route runs).
std::string message_for(int status, size_t max_body) {
  switch (status) {
  case 400:
    return "malformed http request: check the request line and headers (one header line may "
           "have at most 8192 bytes)";
  case 413:
    return "request body too large: at most " + std::to_string(max_body) + " bytes";
  case 414:
    return "request uri too long: at most 8192 bytes";
  case 416:
    return "range requests are not supported";
  default:
    return "http error " + std::to_string(status);
  }
}

/// Methods that change something: a browser sends them cross-origin without asking first
/// (a form POST), so their Origin is checked.
bool is_unsafe(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

/// The guard in front of the API's connections, with its refusals in the API's error form.
net::guard_options guard_options_of(const api_options& o) {
  net::guard_options g;
  g.header_timeout = o.header_timeout;
  g.body_timeout = o.body_timeout;
  g.threads = std::max<size_t>(o.threads, 2);
  g.max_per_address = o.max_connections_per_address;
  g.over_cap_body = json{{"error",
                          {{"code", "too_many_connections"},
                           {"message", "too many connections from this address"},
                           {"details",
                            {{"hint", "reuse a keep-alive connection or close idle ones; "
                                      "server.max_connections_per_address sets the cap"}}}}}}
                        .dump();
  g.refuse = [](httplib::Response& res, int status, const std::string& message) {
    send_error(res, request_id_for(""), status, message,
               {{"hint", "send one well-formed HTTP/1.1 request (RFC 9112)"}});
  };
  if (o.log)
    g.log = [log = o.log](const std::string& message, const std::string& detail) {
      log(message, {{"detail", detail}});
    };
  return g;
}

} // namespace

/// What is known of a request between its arrival and the end of its answer.
struct in_flight {
  clock_type::time_point start;
  std::string request_id;
  std::string route = "unmatched";
};

struct api_server::impl {
  std::shared_ptr<const route_table> routes;
  api_options options;
  router matcher;
  net::rate_limiter limiter;
  /// Health probes have buckets of their own: a probe storm does not starve the API, nor
  /// API traffic the probes.
  net::rate_limiter health_limiter;
  cors_policy cors;
  net::host_policy hosts;
  net::guarded_server http;
  net::http_listener listener;

  /// Keyed by the request object, which lives on its worker's stack from the first byte
  /// read to the last byte written.
  std::mutex flights_mutex;
  std::unordered_map<const httplib::Request*, in_flight> flights;

  impl(std::shared_ptr<const route_table> table, api_options o)
      : routes(std::move(table)), options(std::move(o)), matcher(*routes),
        limiter(options.rate_per_second, options.rate_burst),
        health_limiter(options.rate_per_second, options.rate_burst), cors(options.cors_origins),
        hosts(options.loopback_only, options.allowed_hosts), http(guard_options_of(options)) {}

  void log(const std::string& message, const json& fields) const {
    if (options.log) options.log(message, fields);
  }

  // -- bookkeeping per request --------------------------------------------------------------

  void begin(const httplib::Request& req) {
    in_flight f;
    f.start = clock_type::now();
    f.request_id = request_id_for(req.get_header_value("X-Request-ID"));
    std::lock_guard lock(flights_mutex);
    flights.insert_or_assign(&req, std::move(f));
  }

  std::string request_id_of(const httplib::Request& req) {
    std::lock_guard lock(flights_mutex);
    auto it = flights.find(&req);
    return it == flights.end() ? std::string{} : it->second.request_id;
  }

  void set_route(const httplib::Request& req, const std::string& pattern) {
    std::lock_guard lock(flights_mutex);
    if (auto it = flights.find(&req); it != flights.end()) it->second.route = pattern;
  }

  void finish(const httplib::Request& req, const httplib::Response& res) {
    in_flight f;
    bool known = false;
    {
      std::lock_guard lock(flights_mutex);
      if (auto it = flights.find(&req); it != flights.end()) {
        f = std::move(it->second);
        flights.erase(it);
        known = true;
      }
    }
    if (!options.on_request) return;
    request_record r;
    r.method = req.method;
    r.route = known ? f.route : "unmatched";
    r.status = res.status;
    r.duration_seconds =
        known ? std::chrono::duration<double>(clock_type::now() - f.start).count() : 0.0;
    r.request_id = known ? f.request_id : res.get_header_value("X-Request-ID");
    r.client = req.remote_addr;
    r.bytes_out = req.method == "HEAD" ? 0 : res.body.size();
    options.on_request(r);
  }

  // -- the checks in front of the routes ----------------------------------------------------

  size_t header_bytes(const httplib::Request& req) const {
    size_t total = 0;
    for (const auto& [name, value] : req.headers)
      if (!added_by_httplib(name)) total += name.size() + value.size() + 4; // ": " and CRLF
    return total;
  }

  bool authorized(const httplib::Request& req) const {
    if (options.api_key.empty()) return true;
    auto key =
        presented_key(req.get_header_value("X-API-Key"), req.get_header_value("Authorization"));
    return !key.empty() && key_matches(key, options.api_key);
  }

  /// OPTIONS: a CORS preflight, or a plain question for the methods of a path.
  void answer_options(const httplib::Request& req, httplib::Response& res, const std::string& id) {
    auto methods = matcher.methods_at(req.target);
    if (methods.empty()) {
      send_error(res, id, 404, "no route at " + std::string(req.path),
                 {{"hint", "GET /v1/openapi.json lists every route"}});
      return;
    }
    methods.push_back("OPTIONS");
    auto origin = req.get_header_value("Origin");
    bool preflight = !origin.empty() && req.has_header("Access-Control-Request-Method");
    if (!preflight) {
      res.status = 204;
      res.set_header("Allow", joined(methods));
      return;
    }
    auto allowed = cors.allow(origin);
    if (!allowed) {
      log("refused cors preflight", {{"origin", origin}, {"path", req.path}});
      send_error(res, id, 403, "origin not allowed: " + origin,
                 {{"hint", "add it to server.cors.allowed_origins"}});
      return;
    }
    auto wanted = req.get_header_value("Access-Control-Request-Method");
    if (std::find(methods.begin(), methods.end(), wanted) == methods.end()) {
      res.set_header("Allow", joined(methods));
      send_error(res, id, 405, "method " + wanted + " not allowed at " + req.path,
                 {{"allowed", methods}});
      return;
    }
    res.status = 204;
    res.set_header("Access-Control-Allow-Origin", *allowed);
    res.set_header("Access-Control-Allow-Methods", joined(methods));
    res.set_header("Access-Control-Allow-Headers",
                   "Authorization, Content-Type, X-API-Key, X-Request-ID");
    res.set_header("Access-Control-Max-Age", std::to_string(options.cors_max_age.count()));
    res.set_header("Vary", "Origin");
  }

  /// The body of a request to `r` parsed and checked; an error already in `res` otherwise.
  std::optional<json> read_body(const route& r, const httplib::Request& req, httplib::Response& res,
                                const std::string& id) {
    if (!r.body) {
      if (req.body.empty()) return json();
      send_error(res, id, 400, r.method + " " + r.pattern + " takes no request body",
                 {{"hint", "send parameters in the query string"}});
      return std::nullopt;
    }
    if (req.body.empty() && !r.body_required) return json();
    if (media_type(req.get_header_value("Content-Type")) != "application/json") {
      send_error(res, id, 415, "Content-Type must be application/json",
                 {{"hint", "send a JSON object with Content-Type: application/json"}});
      return std::nullopt;
    }
    if (req.body.size() > options.max_body_bytes) {
      send_error(res, id, 413, message_for(413, options.max_body_bytes));
      return std::nullopt;
    }
    // nlohmann refuses text that is not UTF-8, so this also answers invalid UTF-8 with 400.
    auto parsed = core::parse_json(req.body, "request body", {options.max_body_bytes});
    if (!parsed) {
      const auto& e = parsed.err();
      if (e.problem == core::json_problem::too_deep)
        send_error(res, id, 400, e.message,
                   {{"hint", "nest objects and arrays at most " +
                                 std::to_string(core::max_json_depth) + " levels deep"}});
      else
        send_error(res, id, 400, "request body is not valid json (or not utf-8)",
                   {{"hint", "send one JSON object encoded as UTF-8"}, {"detail", e.message}});
      return std::nullopt;
    }
    auto body = std::move(parsed).value();
    if (auto problem = core::catalogue::find_schema_problem(*r.body, body)) {
      // A field over its documented size is 413, like a body over server.limits.max_body_bytes.
      send_error(
          res, id, problem->too_large ? 413 : 400, "invalid request body: " + problem->message,
          {{"hint", "GET /v1/openapi.json describes the body of " + r.method + " " + r.pattern}});
      return std::nullopt;
    }
    return body;
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    const auto id = request_id_of(req);
    if (header_bytes(req) > options.max_header_bytes) {
      send_error(res, id, 431,
                 "request headers too large: at most " + std::to_string(options.max_header_bytes) +
                     " bytes",
                 {{"hint", "send fewer or shorter headers"}});
      return;
    }
    // Against DNS rebinding: a page whose name was made to resolve to this loopback server
    // reaches it with its own name as Host.
    if (!hosts.host_allowed(req.get_header_value("Host"))) {
      log("refused request",
          {{"reason", "host not allowed"}, {"host", req.get_header_value("Host")}});
      send_error(res, id, 421, "host not allowed: this server answers to loopback names only",
                 {{"hint", "use http://127.0.0.1 or http://localhost, or add the name to "
                           "server.allowed_hosts"}});
      return;
    }
    if (is_unsafe(req.method) && req.has_header("Origin") &&
        !hosts.origin_allowed(req.get_header_value("Origin"), options.cors_origins)) {
      log("refused request",
          {{"reason", "cross-origin write"}, {"origin", req.get_header_value("Origin")}});
      send_error(res, id, 403, "origin not allowed: " + req.get_header_value("Origin"),
                 {{"hint", "browser pages may change data only from loopback origins or those "
                           "in server.cors.allowed_origins"}});
      return;
    }
    auto m = matcher.find(req.method, req.target);
    // Counted under the route it was meant for, refused or not.
    if (m.found != nullptr) set_route(req, m.found->pattern);
    bool probe = m.found != nullptr && m.found->pattern == "/health";
    auto& bucket = probe ? health_limiter : limiter;
    if (auto wait = bucket.take(req.remote_addr); wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      send_error(res, id, 429, "too many requests: try again in " + std::to_string(wait) + " s",
                 {{"retry_after_seconds", wait}});
      return;
    }
    if (req.method == "OPTIONS") {
      answer_options(req, res, id);
      return;
    }
    bool open = m.found != nullptr && m.found->open;
    if (!open && !authorized(req)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"sage\"");
      send_error(res, id, 401, "missing or wrong api key",
                 {{"hint", "send the key as X-API-Key: KEY or Authorization: Bearer KEY"}});
      return;
    }
    if (!m.found) {
      if (m.allowed.empty()) {
        send_error(res, id, 404, "no route at " + std::string(req.path),
                   {{"hint", "GET /v1/openapi.json lists every route"}});
        return;
      }
      res.set_header("Allow", joined(m.allowed));
      send_error(res, id, 405, "method " + req.method + " not allowed at " + req.path,
                 {{"allowed", m.allowed}});
      return;
    }
    const auto& r = *m.found;
    // From the target only: httplib also adds the fields of a form-encoded body to `params`.
    httplib::Params query;
    if (auto q = req.target.find('?'); q != std::string::npos)
      httplib::detail::parse_query_text(req.target.substr(q + 1), query);
    auto params = read_parameters(r, m.path_values, query);
    if (!params) {
      send_error(res, id, params.err());
      return;
    }
    auto body = read_body(r, req, res, id);
    if (!body) return;
    call c{std::move(*params), std::move(*body), id, req.remote_addr};
    auto answer = r.handle(c);
    if (!answer) {
      send_error(res, id, answer.err());
      return;
    }
    res.status = answer->status;
    for (const auto& [name, value] : answer->headers)
      res.set_header(name, value);
    if (answer->stream) {
      answer->stream(res);
    } else if (answer->text) {
      res.set_content(*answer->text, answer->content_type);
    } else if (answer->status != 204) {
      res.set_content(answer->body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json");
    }
  }

  /// The request id of `req`, also for a request httplib refused before any handler saw it
  /// (then a new one, put in the answer's header so that `finish_headers` keeps it).
  std::string answer_id(const httplib::Request& req, httplib::Response& res) {
    auto id = request_id_of(req);
    if (id.empty()) id = res.get_header_value("X-Request-ID");
    if (id.empty()) {
      id = request_id_for("");
      res.set_header("X-Request-ID", id);
    }
    return id;
  }

  /// Headers every answer carries, whoever wrote it (a route, an error, httplib itself).
  void finish_headers(const httplib::Request& req, httplib::Response& res) {
    auto id = answer_id(req, res);
    if (!res.has_header("X-Request-ID")) res.set_header("X-Request-ID", id);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-store");
    if (cors.enabled() && req.method != "OPTIONS") {
      if (auto allowed = cors.allow(req.get_header_value("Origin"))) {
        res.set_header("Access-Control-Allow-Origin", *allowed);
        res.set_header("Access-Control-Expose-Headers", "Retry-After, X-Request-ID");
        res.set_header("Vary", "Origin");
      }
    }
  }
};

// -- server ----------------------------------------------------------------------------------

namespace {

/// The routes about the API itself, added to the caller's table: `/metrics` when configured
/// and the OpenAPI document of the final table.
std::shared_ptr<const route_table> complete(std::shared_ptr<const route_table> given,
                                            const api_options& options) {
  auto table = std::make_shared<route_table>(*given);
  if (options.metrics_on_api && options.metrics_text) {
    route metrics;
    metrics.method = "GET";
    metrics.pattern = "/metrics";
    metrics.operation_id = "get_metrics";
    metrics.summary = "Metrics in the Prometheus text format";
    metrics.tag = "system";
    metrics.answer = {{"type", "string"}};
    metrics.answer_type = "text/plain; version=0.0.4";
    metrics.answer_description = "the metrics";
    metrics.open = !options.metrics_require_key;
    metrics.handle = [text = options.metrics_text](const call&) -> core::result<reply> {
      reply r;
      r.text = text();
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return r;
    };
    table->add(std::move(metrics));
  }
  // The document is written once, from the finished table, on first request.
  auto document = std::make_shared<std::once_flag>();
  auto text = std::make_shared<std::string>();
  std::weak_ptr<const route_table> weak = table;
  route openapi;
  openapi.method = "GET";
  openapi.pattern = "/v1/openapi.json";
  openapi.operation_id = "get_openapi";
  openapi.summary = "This API described as an OpenAPI 3.1 document";
  openapi.tag = "system";
  openapi.answer = {{"type", "object"}};
  openapi.answer_description = "the OpenAPI document";
  openapi.handle = [document, text, weak](const call&) -> core::result<reply> {
    std::call_once(*document, [&] {
      if (auto t = weak.lock()) *text = openapi_document(*t).dump(2);
    });
    reply r;
    r.text = *text;
    return r;
  };
  table->add(std::move(openapi));
  return table;
}

} // namespace

api_server::api_server(std::shared_ptr<const route_table> routes, api_options options)
    : impl_(std::make_unique<impl>(complete(std::move(routes), options), std::move(options))) {
  auto& d = *impl_;
  auto& http = d.http;
  // Without it keep-alive clients wait for delayed ACKs (~40 ms per request).
  net::configure_listener(http);
  http.set_keep_alive_max_count(d.options.keep_alive_max);
  http.set_payload_max_length(d.options.max_body_bytes);
  http.set_pre_routing_handler([&d](const httplib::Request& req, httplib::Response&) {
    d.begin(req);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto dispatch = [&d](const httplib::Request& req, httplib::Response& res) {
    d.dispatch(req, res);
  };
  // Every path goes to one dispatcher, which tells 404 from 405 and knows each route's pattern.
  http.Get(".*", dispatch);
  http.Post(".*", dispatch);
  http.Put(".*", dispatch);
  http.Patch(".*", dispatch);
  http.Delete(".*", dispatch);
  http.Options(".*", dispatch);
  http.set_exception_handler(
      [&d](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        res.headers.clear();
        auto id = d.answer_id(req, res);
        d.log("failed to handle api request",
              {{"reason", what}, {"method", req.method}, {"path", req.path}, {"request_id", id}});
        send_error(res, id, 500, "internal error: the failure is logged with this request id");
      });
  // Statuses httplib answers itself (400 for a malformed request, 413, 414) get a JSON body.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [&d](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        auto id = d.answer_id(req, res);
        send_error(res, id, res.status, message_for(res.status, d.options.max_body_bytes));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_post_routing_handler(
      [&d](const httplib::Request& req, httplib::Response& res) { d.finish_headers(req, res); });
  http.set_logger(
      [&d](const httplib::Request& req, const httplib::Response& res) { d.finish(req, res); });
}

api_server::~api_server() = default;

std::optional<std::string> api_server::bind() {
  auto& d = *impl_;
  return d.listener.bind(d.http, d.options.host, d.options.port);
}

int api_server::port() const {
  return impl_->listener.port();
}

void api_server::run() {
  auto& d = *impl_;
  d.listener.run(d.http);
}

void api_server::stop() {
  auto& d = *impl_;
  if (!d.listener.begin_stop()) return;
  d.listener.finish_stop(d.http);
}

} // namespace sage::services::http
