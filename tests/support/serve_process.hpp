// `sage serve` as a child process for tests: a private HOME, the port read from its log, and an
// MCP client on curl for it (support/mcp_curl.hpp).
// SPDX-License-Identifier: MIT
#pragma once

#include "support/mcp_curl.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

extern char** environ;

namespace sage::test::mcp_http {

/// The process may have to build the index cache of the bundled knowledge base first.
constexpr auto start_limit = 60s;
constexpr auto exit_limit = 15s;

inline std::vector<std::string> environment(const fs::path& home) {
  std::vector<std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view v{*e};
    if (!v.starts_with("SAGE_") && !v.starts_with("HOME=") && !v.starts_with("XDG_DATA_HOME="))
      vars.emplace_back(v);
  }
  vars.push_back("HOME=" + home.string());
  vars.push_back("SAGE_CACHE_DIR=" + (home / "cache").string());
  vars.push_back("SAGE_DATA_DIR=" + (home / "data").string());
  return vars;
}

/// `sage serve --port 0` in a private HOME, cache and data folder; the port it took is read
/// from its log line.
class serve_process : public child_process, public mcp_curl_client {
public:
  explicit serve_process(const temp_dir& home,
                         std::vector<std::string> args = {"serve", "--port", "0", "--api-port", "0",
                                                          "--metrics-port", "0"})
      : child_process(SAGE_BINARY, std::move(args), home.path(),
                      "sage-serve-" + std::to_string(++serial), home.path(),
                      environment(home.path())),
        mcp_curl_client(home.path()), home_(home.path()) {}

  /// Waits for the "listening on" log line; returns the endpoint URL.
  std::string wait_for_listening() {
    static const std::regex listening(R"(listening on (http://127\.0\.0\.1:(\d+)/mcp))");
    std::smatch m;
    bool up = wait_until(
        [&] {
          auto e = err();
          return std::regex_search(e, m, listening);
        },
        start_limit);
    BOOST_REQUIRE_MESSAGE(up, "`sage serve` did not start; stderr:\n" << err());
    set_url(m[1].str());
    return url();
  }

  const fs::path& home() const { return home_; }

private:
  fs::path home_;
};

struct server_fixture {
  temp_dir home;
  serve_process server{home};
  server_fixture() { server.wait_for_listening(); }
};

} // namespace sage::test::mcp_http
