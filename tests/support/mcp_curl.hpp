// curl as an MCP Streamable HTTP client for tests: one request at a time, or an SSE stream held
// open in the background; answers and SSE bodies read back.
// SPDX-License-Identifier: MIT
#pragma once

#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace sage::test::mcp_http {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

/// Generous bound for anything a test waits for over HTTP, only so that a bug fails the test
/// instead of hanging it.
constexpr auto arrival_limit = 30s;

/// The JSON messages of an SSE text: the `data` of each complete event (comments and other
/// fields skipped; every event of the server is one `data` line; an event still arriving, not
/// yet ended by a blank line, is left out).
inline std::vector<json> sse_messages(const std::string& text) {
  std::vector<json> out;
  auto end = text.rfind("\n\n");
  std::istringstream in(end == std::string::npos ? std::string{} : text.substr(0, end + 2));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("data: ")) out.push_back(json::parse(line.substr(6)));
  }
  return out;
}

/// What curl saw: the status, the headers (names lower case) and the body.
struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  json body_json() const { return json::parse(body); }
  bool is_sse() const {
    return headers.count("content-type") > 0 &&
           headers.at("content-type").starts_with("text/event-stream");
  }
  /// The messages of the body: one for JSON, each event's for SSE.
  std::vector<json> messages() const {
    return is_sse() ? sse_messages(body) : std::vector<json>{body_json()};
  }
  /// The answer: the JSON body, or the last message of an SSE body.
  json answer() const {
    auto all = messages();
    BOOST_REQUIRE_MESSAGE(!all.empty(), "no message in the body: " << body);
    return all.back();
  }
};

/// Splits curl's `-i` output into status, headers and body.
inline http_reply parse_reply(const std::string& text, const std::string& what) {
  http_reply r;
  auto end = text.find("\r\n\r\n");
  BOOST_REQUIRE_MESSAGE(end != std::string::npos, "no HTTP answer to " << what << ":\n" << text);
  std::istringstream head(text.substr(0, end));
  std::string line, version;
  std::getline(head, line);
  std::istringstream(line) >> version >> r.status;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[name] = value;
  }
  r.body = text.substr(end + 4);
  return r;
}

/// Runs `curl -s -i` with `args` and `headers` against `url`; its answer.
inline http_reply curl_call(const std::string& url, const std::string& args,
                            const std::vector<std::string>& headers) {
  // No `Expect: 100-continue` for large bodies: its interim answer is not what is tested.
  std::string cmd = "curl -s -i --max-time 30 -H 'Expect:' " + args;
  for (const auto& h : headers)
    cmd += " -H '" + h + "'";
  cmd += " '" + url + "'";
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(pipe != nullptr, "failed to run curl");
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    out.append(buf, n);
  ::pclose(pipe);
  return parse_reply(out, cmd);
}

/// The path of a program found on PATH (child_process wants one).
inline fs::path program_path(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::exists(fs::path(dir) / name)) return fs::path(dir) / name;
  BOOST_FAIL(name << " not found on PATH");
  return {};
}

/// Numbers the output files of background processes.
inline int serial = 0;

/// An SSE stream read by `curl -N` in the background (a GET, or what `extra` arguments make of
/// it, such as a POST); what arrived is in its output.
class sse_stream : public child_process {
public:
  sse_stream(const fs::path& dir, const std::string& url, const std::vector<std::string>& headers,
             const std::vector<std::string>& extra = {})
      : child_process(program_path("curl"), arguments(url, headers, extra), dir,
                      "sse-stream-" + std::to_string(++serial)) {}

  /// Waits for the status line and headers; the status (0 when none came).
  int wait_for_status() {
    wait_until([&] { return out().find("\r\n\r\n") != std::string::npos; }, arrival_limit);
    auto text = out();
    if (text.find("\r\n\r\n") == std::string::npos) return 0;
    return parse_reply(text, "the stream").status;
  }

  http_reply reply() const { return parse_reply(out(), "the stream"); }

  /// The messages that arrived so far (none before the headers).
  std::vector<json> messages() const {
    auto text = out();
    auto end = text.find("\r\n\r\n");
    return end == std::string::npos ? std::vector<json>{} : sse_messages(text.substr(end + 4));
  }

  /// Waits until a message with `method` arrived; it, or null when none did in time.
  json wait_for(const std::string& method) {
    json found;
    wait_until(
        [&] {
          for (auto& m : messages())
            if (m.value("method", "") == method) {
              found = m;
              return true;
            }
          return false;
        },
        arrival_limit);
    return found;
  }

private:
  static std::vector<std::string> arguments(const std::string& url,
                                            const std::vector<std::string>& headers,
                                            const std::vector<std::string>& extra) {
    std::vector<std::string> args{"-s", "-i", "-N", "--max-time", "120"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& h : headers) {
      args.push_back("-H");
      args.push_back(h);
    }
    args.push_back(url);
    return args;
  }
};

inline const std::string initialize_body =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"mcp_http_test","version":"1.0"}}})";
inline const std::string initialized_body =
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
inline const std::string both_accept = "Accept: application/json, text/event-stream";
inline const std::string json_accept = "Accept: application/json";
inline const std::string sse_accept = "Accept: text/event-stream";
inline const std::string json_type = "Content-Type: application/json";

inline std::string ping_body(int id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})";
}

inline std::string request_body(const json& id, const std::string& method, json params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
      .dump();
}

/// An MCP client on curl for the endpoint `url` (settable later); request bodies go through
/// files in `dir`, so nothing is quoted by the shell.
class mcp_curl_client {
public:
  explicit mcp_curl_client(fs::path dir, std::string url = {})
      : dir_(std::move(dir)), url_(std::move(url)) {}

  const std::string& url() const { return url_; }
  void set_url(std::string url) { url_ = std::move(url); }

  /// POSTs `body` (through a file, so nothing is quoted by the shell) with `headers`.
  http_reply post(const std::string& body, const std::vector<std::string>& headers) {
    return curl("-X POST --data-binary @'" + body_file(body).string() + "'", headers);
  }

  /// POSTs `body` in session `session_id` accepting JSON and SSE, read in the background.
  std::unique_ptr<sse_stream> post_in_background(const std::string& body,
                                                 const std::string& session_id) {
    return std::make_unique<sse_stream>(
        dir_, url_,
        std::vector<std::string>{json_type, both_accept, "Mcp-Session-Id: " + session_id},
        std::vector<std::string>{"-X", "POST", "--data-binary", "@" + body_file(body).string()});
  }

  /// POSTs with the headers of a well-behaved client, in session `session_id` when not empty.
  http_reply post_json(const std::string& body, const std::string& session_id = {},
                       const std::string& accept = both_accept) {
    std::vector<std::string> headers{json_type, accept};
    if (!session_id.empty()) headers.push_back("Mcp-Session-Id: " + session_id);
    return post(body, headers);
  }

  http_reply curl(const std::string& args, const std::vector<std::string>& headers) {
    return curl_call(url_, args, headers);
  }

  /// GET with `headers` (and the session id when not empty), answered without a stream.
  http_reply get(const std::string& session_id, const std::vector<std::string>& headers) {
    auto all = headers;
    if (!session_id.empty()) all.push_back("Mcp-Session-Id: " + session_id);
    return curl("", all);
  }

  /// Opens the session's GET stream in the background.
  std::unique_ptr<sse_stream> open_stream(const std::string& session_id) {
    return std::make_unique<sse_stream>(
        dir_, url_, std::vector<std::string>{sse_accept, "Mcp-Session-Id: " + session_id});
  }

  /// Initializes a session and sends `notifications/initialized`; returns the session id.
  std::string open_session() {
    auto r = post_json(initialize_body);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    auto id = r.headers["mcp-session-id"];
    BOOST_REQUIRE(!id.empty());
    BOOST_REQUIRE_EQUAL(post_json(initialized_body, id).status, 202);
    return id;
  }

  /// Ends the session with DELETE; the status.
  int delete_session(const std::string& session_id) {
    return curl("-X DELETE", {"Mcp-Session-Id: " + session_id}).status;
  }

private:
  fs::path body_file(const std::string& body) {
    auto file = dir_ / ("body-" + std::to_string(++requests_));
    std::ofstream(file, std::ios::binary) << body;
    return file;
  }

  fs::path dir_;
  std::string url_;
  int requests_ = 0;
};

/// The error code and message of a JSON-RPC error message.
inline void check_rpc_error(const json& message, int code, const std::string& message_part) {
  BOOST_TEST_CONTEXT("message " << message.dump()) {
    BOOST_REQUIRE(message.contains("error"));
    BOOST_TEST(message["error"]["code"].get<int>() == code);
    BOOST_TEST(message["error"]["message"].get<std::string>().find(message_part) !=
               std::string::npos);
  }
}

inline void check_rpc_error(const http_reply& r, int code, const std::string& message_part) {
  check_rpc_error(r.body_json(), code, message_part);
}

} // namespace sage::test::mcp_http
