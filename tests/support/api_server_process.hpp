// `sage serve` as a child process with a private HOME, cache and data folder, and curl as the
// client of its HTTP API: what the API tests drive.
// SPDX-License-Identifier: MIT
#pragma once

#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace sage::test {

/// What curl saw: the status, the headers (names lower case) and the body.
struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  nlohmann::json json() const {
    auto j = nlohmann::json::parse(body, nullptr, false);
    BOOST_REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << body.substr(0, 400));
    return j;
  }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
  /// `error.code` of an error body.
  std::string error_code() const { return json()["error"]["code"].get<std::string>(); }
};

/// The caller's environment without SAGE_* variables, with HOME, cache and data in `home`,
/// plus `extra` (`NAME=value`).
inline std::vector<std::string> serve_environment(const std::filesystem::path& home,
                                                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view v{*e};
    if (!v.starts_with("SAGE_") && !v.starts_with("HOME=") && !v.starts_with("XDG_DATA_HOME="))
      vars.emplace_back(v);
  }
  vars.push_back("HOME=" + home.string());
  vars.push_back("SAGE_CACHE_DIR=" + (home / "cache").string());
  vars.push_back("SAGE_DATA_DIR=" + (home / "data").string());
  vars.insert(vars.end(), extra.begin(), extra.end());
  return vars;
}

/// `sage [global args] serve --api-port 0 --mcp-port 0 [args]`; the API's URL is read from the
/// log line that says where it listens.
class api_server_process : public child_process {
public:
  /// The process may have to build the index cache of the bundled knowledge base first.
  static constexpr auto start_limit = std::chrono::seconds(60);

  api_server_process(const temp_dir& home, std::vector<std::string> serve_args = {},
                     std::vector<std::string> env = {}, std::vector<std::string> global_args = {})
      : child_process(SAGE_BINARY, arguments(std::move(global_args), std::move(serve_args)),
                      home.path(), "sage-serve-" + std::to_string(++serial()), home.path(),
                      serve_environment(home.path(), env)),
        home_(home.path()) {}

  /// Waits for the "api server listening on" line; returns the base URL (`http://host:port`).
  std::string wait_for_listening() {
    static const std::regex listening(R"(api server listening on (http://[0-9.]+:(\d+))/v1)");
    std::smatch m;
    bool up = wait_until(
        [&] {
          auto e = err();
          return std::regex_search(e, m, listening);
        },
        start_limit);
    BOOST_REQUIRE_MESSAGE(up, "`sage serve` did not start; stderr:\n" << err());
    base_ = m[1].str();
    return base_;
  }

  const std::string& base() const { return base_; }

  /// The MCP endpoint's URL from its log line (after `wait_for_listening`).
  std::string mcp_url() const {
    static const std::regex listening(R"(mcp server listening on (http://[0-9.]+:\d+/mcp))");
    std::smatch m;
    auto e = err();
    BOOST_REQUIRE_MESSAGE(std::regex_search(e, m, listening), "no mcp log line:\n" << e);
    return m[1].str();
  }

  /// One request with curl: `method` to `path` (and query, sent as written; a whole URL is
  /// taken as it is), with `body` (sent
  /// from a file, so nothing is quoted by the shell) and `headers`.
  http_reply request(const std::string& method, const std::string& path,
                     const std::vector<std::string>& headers = {},
                     const std::optional<std::string>& body = std::nullopt,
                     const std::string& extra_curl_args = {}) {
    // `--path-as-is`: send `..` and `%2f` exactly as written. No `Expect: 100-continue`.
    std::string cmd =
        "curl -s -i --max-time 30 --path-as-is -H 'Expect:' -X " + method + " " + extra_curl_args;
    if (body) {
      auto file = home_ / ("body-" + std::to_string(++requests_));
      std::ofstream(file, std::ios::binary) << *body;
      cmd += " --data-binary @'" + file.string() + "'";
    }
    for (const auto& h : headers)
      cmd += " -H '" + h + "'";
    cmd += " '" + (path.starts_with("http://") ? path : base_ + path) + "'";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE_MESSAGE(pipe != nullptr, "failed to run curl");
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
      out.append(buf, n);
    ::pclose(pipe);
    return parse(out, cmd);
  }

  http_reply get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return request("GET", path, headers);
  }

  /// A JSON body with `Content-Type: application/json`.
  http_reply send_json(const std::string& method, const std::string& path,
                       const nlohmann::json& body, std::vector<std::string> headers = {}) {
    headers.push_back("Content-Type: application/json");
    return request(method, path, headers, body.dump());
  }

private:
  static int& serial() {
    static int n = 0;
    return n;
  }

  static std::vector<std::string> arguments(std::vector<std::string> global,
                                            std::vector<std::string> serve) {
    global.insert(global.end(),
                  {"serve", "--api-port", "0", "--mcp-port", "0", "--metrics-port", "0"});
    global.insert(global.end(), serve.begin(), serve.end());
    return global;
  }

  static http_reply parse(const std::string& text, const std::string& cmd) {
    http_reply r;
    // A 100 Continue or other interim answer comes first; the last header block is the answer.
    size_t start = 0;
    while (text.compare(start, 9, "HTTP/1.1 ") == 0 && text.compare(start + 9, 1, "1") == 0) {
      auto end = text.find("\r\n\r\n", start);
      if (end == std::string::npos) break;
      start = end + 4;
    }
    auto end = text.find("\r\n\r\n", start);
    BOOST_REQUIRE_MESSAGE(end != std::string::npos, "no HTTP answer to " << cmd << ":\n" << text);
    std::istringstream head(text.substr(start, end - start));
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

  std::filesystem::path home_;
  std::string base_;
  int requests_ = 0;
};

} // namespace sage::test
