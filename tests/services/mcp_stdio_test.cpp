// `sage mcp` run as a child process the way an MCP client runs it: messages on its stdin, one
// answer per line on its stdout, logs on stderr; bad input, a huge line, end of input, signals.
// SPDX-License-Identifier: MIT
#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using sage::test::temp_dir;

namespace {

using clock_type = std::chrono::steady_clock;

/// The process may have to build the index cache of the bundled knowledge base first.
constexpr auto start_limit = 60s;
/// An answer to a message sent once the server is up.
constexpr auto answer_limit = 10s;
/// A change on disk becoming a notification (debounce and rebuild on a busy machine).
constexpr auto change_limit = 30s;

const std::string initialize_line =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"mcp_stdio_test","version":"1.0"}}})"
    "\n";
const std::string initialized_line = R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                                     "\n";

std::string ping_line(int id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})" + "\n";
}

/// `sage mcp` on the bundled knowledge base in a private HOME, cache and data folder, with
/// none of the caller's SAGE_* settings; stdin is a pipe the test writes to.
class mcp_process : public sage::test::child_process {
public:
  /// `args`: before `mcp`, e.g. `--kb <folder>`.
  explicit mcp_process(const temp_dir& home, std::vector<std::string> args = {})
      : child_process(SAGE_BINARY, with_command(std::move(args)), home.path(),
                      "sage-mcp-" + std::to_string(++serial), home.path(), environment(home.path()),
                      /*pipe_stdin=*/true) {}

  void send(std::string_view text) {
    BOOST_REQUIRE_MESSAGE(write_stdin(text), "failed to write to the stdin of `sage mcp`");
  }

  /// The first `n` stdout lines, parsed; fails the test when they do not come within `limit`.
  std::vector<json> wait_for_lines(size_t n, clock_type::duration limit = answer_limit) {
    bool got = wait_until([&] { return out_lines().size() >= n; }, limit);
    BOOST_REQUIRE_MESSAGE(got, "expected " << n << " lines on stdout, got " << out_lines().size()
                                           << "; stdout:\n"
                                           << out() << "\nstderr:\n"
                                           << err());
    std::vector<json> parsed;
    for (const auto& line : out_lines())
      parsed.push_back(json::parse(line));
    return parsed;
  }

  /// The first stdout message `match` accepts; fails the test when none comes within `limit`.
  template <class Match> json wait_for_message(Match match, clock_type::duration limit) {
    json found;
    bool got = wait_until(
        [&] {
          for (const auto& line : out_lines())
            if (auto m = json::parse(line); match(m)) {
              found = std::move(m);
              return true;
            }
          return false;
        },
        limit);
    BOOST_REQUIRE_MESSAGE(got, "no such message on stdout; stdout:\n"
                                   << out() << "\nstderr:\n"
                                   << err());
    return found;
  }

  /// Sends `initialize` and `notifications/initialized`; returns the answer.
  json initialize() {
    send(initialize_line);
    auto answer = wait_for_lines(1, start_limit).at(0);
    send(initialized_line);
    return answer;
  }

  /// Peak resident memory in KiB (VmHWM of /proc/<pid>/status).
  long peak_rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    BOOST_FAIL("no VmHWM in /proc/" << pid() << "/status");
    return -1;
  }

  /// Every complete stdout line is a JSON-RPC message and nothing else is there.
  void check_stdout_is_only_json_lines() const {
    auto text = out();
    BOOST_TEST((text.empty() || text.back() == '\n'), "stdout ends in a partial line:\n" << text);
    for (const auto& line : out_lines()) {
      json j;
      BOOST_CHECK_NO_THROW(j = json::parse(line));
      BOOST_TEST(j.value("jsonrpc", "") == "2.0", line);
    }
  }

private:
  static inline int serial = 0;

  static std::vector<std::string> with_command(std::vector<std::string> args) {
    args.emplace_back("mcp");
    return args;
  }

  static std::vector<std::string> environment(const fs::path& home) {
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
};

/// Closes stdin and checks the process exits 0 within a second.
void check_exits_0_on_end_of_input(mcp_process& p) {
  p.close_stdin();
  auto code = p.wait(1s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "still running 1 s after end of input; stderr:\n"
                                              << p.err());
  BOOST_TEST(*code == 0, "exit code " << *code << "; stderr:\n" << p.err());
}

} // namespace

BOOST_AUTO_TEST_SUITE(mcp_stdio)

BOOST_AUTO_TEST_CASE(initialize_is_answered_and_the_initialized_notification_is_not) {
  temp_dir home;
  mcp_process p(home);
  auto started = clock_type::now();
  p.send(initialize_line);
  auto init = p.wait_for_lines(1, start_limit).at(0);
  using ms = std::chrono::duration<double, std::milli>;
  double elapsed_ms = ms(clock_type::now() - started).count();
  BOOST_TEST_MESSAGE("initialize answered after " << elapsed_ms
                                                  << " ms (process start included, cache cold)");
  BOOST_TEST(init["id"] == 1);
  BOOST_TEST(init["result"]["protocolVersion"] == "2025-11-25");
  BOOST_TEST(init["result"]["serverInfo"]["name"] == "sage");
  BOOST_TEST(init["result"]["serverInfo"]["version"].is_string());
  BOOST_TEST(init["result"]["capabilities"].is_object());

  p.send(initialized_line);
  p.send(ping_line(2));
  auto lines = p.wait_for_lines(2);
  BOOST_TEST(lines.size() == 2u); // nothing for the notification
  BOOST_TEST(lines[1]["id"] == 2);
  BOOST_TEST(lines[1]["result"] == json::object());
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(a_request_before_initialize_is_refused_but_ping_is_answered) {
  temp_dir home;
  mcp_process p(home);
  p.send(R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})"
         "\n");
  p.send(ping_line(8));
  auto lines = p.wait_for_lines(2, start_limit);
  BOOST_TEST(lines[0]["id"] == 7);
  BOOST_TEST(lines[0]["error"]["code"] == -32600);
  BOOST_TEST(lines[0]["error"]["message"].get<std::string>().find("send initialize first") !=
                 std::string::npos,
             lines[0].dump());
  BOOST_TEST(lines[1]["id"] == 8);
  BOOST_TEST(lines[1]["result"] == json::object());
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(a_nul_byte_after_a_ping_is_a_parse_error_and_the_session_goes_on) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  // The JSON parser takes a NUL for the end of the input: this line was answered as a ping.
  const std::string ping = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
  p.send(ping + std::string("\0GARBAGE\n", 9));
  p.send(ping_line(3));
  auto lines = p.wait_for_lines(3);
  BOOST_TEST(lines[1]["id"].is_null(), lines[1].dump());
  BOOST_TEST(lines[1]["error"]["code"] == -32700);
  BOOST_TEST(lines[1]["error"]["message"] ==
             "failed to parse message as JSON: it holds a NUL byte at offset " +
                 std::to_string(ping.size()));
  BOOST_TEST(lines[2]["id"] == 3);
  BOOST_TEST(lines[2]["result"] == json::object());
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(memory_add_refuses_a_session_id_that_is_not_a_uuid_as_the_cli_does) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  auto call = [](int id, const json& session) {
    json args = {{"content", "a note"}};
    if (!session.is_null()) args["session_id"] = session;
    return json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", "tools/call"},
                {"params", {{"name", "memory_add"}, {"arguments", args}}}}
               .dump() +
           "\n";
  };
  p.send(call(2, "../x"));
  p.send(call(3, nullptr));
  auto lines = p.wait_for_lines(3);
  auto refused = lines[1]["result"];
  BOOST_TEST(refused["isError"] == true, lines[1].dump());
  BOOST_TEST(refused["content"][0]["text"].get<std::string>().find(
                 "invalid session id `../x`: not a UUID") != std::string::npos,
             lines[1].dump());
  BOOST_TEST(lines[2]["result"].value("isError", false) == false, lines[2].dump());
  check_exits_0_on_end_of_input(p);
}

BOOST_AUTO_TEST_CASE(session_texts_over_their_limits_are_refused_and_lists_page) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  auto call = [](int id, const std::string& tool, const json& args) {
    return json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", "tools/call"},
                {"params", {{"name", tool}, {"arguments", args}}}}
               .dump() +
           "\n";
  };
  // Five sessions with 2 MB objectives made one session_status take 20 s.
  p.send(call(2, "session_start", {{"objective", std::string(2 << 20, 'o')}}));
  p.send(call(3, "session_start", {{"objective", "x"}, {"steps", {std::string(1025, 's')}}}));
  for (int i = 0; i < 3; ++i)
    p.send(call(4 + i, "session_start", {{"objective", "page " + std::to_string(i)}}));
  // Calls run on several threads: answers are matched by id.
  auto by_id = [&](size_t count) {
    std::map<int, json> out;
    for (auto& line : p.wait_for_lines(count))
      if (line.contains("id") && line["id"].is_number_integer()) out[line["id"].get<int>()] = line;
    return out;
  };
  auto answers = by_id(6);
  // Arguments that do not fit the input schema are a tool error the model can correct.
  BOOST_TEST(answers[2]["result"]["isError"] == true, answers[2].dump().substr(0, 300));
  BOOST_TEST(answers[2]["result"]["content"][0]["text"].get<std::string>().find(
                 "`objective` is too long: 2097152 bytes, at most 8192") != std::string::npos,
             answers[2].dump().substr(0, 300));
  BOOST_TEST(answers[3]["result"]["isError"] == true, answers[3].dump().substr(0, 300));
  // The three sessions are started before they are listed.
  p.send(call(7, "session_status", {{"limit", 2}}));
  answers = by_id(7);
  auto page = answers[7]["result"]["structuredContent"];
  BOOST_TEST(page["count"] == 2, answers[7].dump());
  BOOST_REQUIRE(page["next_cursor"].is_string());
  p.send(call(8, "session_status", {{"limit", 2}, {"cursor", page["next_cursor"]}}));
  answers = by_id(8);
  auto rest = answers[8]["result"]["structuredContent"];
  BOOST_TEST(rest["count"] == 1, answers[8].dump());
  BOOST_TEST(rest["next_cursor"].is_null());
  check_exits_0_on_end_of_input(p);
}

BOOST_AUTO_TEST_CASE(garbage_and_invalid_utf8_are_parse_errors_and_the_session_goes_on) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  p.send("this is not json\n");
  p.send("\n\r\n"); // empty lines: ignored
  p.send(ping_line(2));
  p.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{\"x\":\"\xff\xfe\"}}\n");
  p.send(ping_line(4));
  auto lines = p.wait_for_lines(5);
  BOOST_TEST(lines.size() == 5u, "one answer per non-empty line");
  BOOST_TEST(lines[1]["id"].is_null());
  BOOST_TEST(lines[1]["error"]["code"] == -32700);
  BOOST_TEST(lines[2]["id"] == 2);
  BOOST_TEST(lines[2]["result"] == json::object());
  BOOST_TEST(lines[3]["id"].is_null());
  BOOST_TEST(lines[3]["error"]["code"] == -32700);
  BOOST_TEST(lines[3]["error"]["message"].get<std::string>().find("UTF-8") != std::string::npos,
             lines[3].dump());
  BOOST_TEST(lines[4]["id"] == 4);
  BOOST_TEST(lines[4]["result"] == json::object());
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(a_64_mib_line_is_refused_without_being_buffered) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  p.send(ping_line(2));
  p.wait_for_lines(2);
  long before_kib = p.peak_rss_kib();

  constexpr size_t line_bytes = size_t{64} << 20;
  const std::string head = R"({"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":")";
  const std::string tail = "\"}}\n";
  p.send(head);
  const std::string block(size_t{1} << 20, 'a');
  size_t sent = head.size();
  while (sent + block.size() + tail.size() <= line_bytes) {
    p.send(block);
    sent += block.size();
  }
  p.send(tail);
  sent += tail.size();
  p.send(ping_line(4));

  auto lines = p.wait_for_lines(4, 60s);
  BOOST_TEST(lines[2]["id"].is_null());
  BOOST_TEST(lines[2]["error"]["code"] == -32600);
  BOOST_TEST(lines[2]["error"]["message"].get<std::string>().find("too large") != std::string::npos,
             lines[2].dump());
  BOOST_TEST(lines[2]["error"]["data"]["size"] == sent - 1); // the newline is not the message's
  BOOST_TEST(lines[3]["id"] == 4);
  BOOST_TEST(lines[3]["result"] == json::object());

  long growth_kib = p.peak_rss_kib() - before_kib;
  BOOST_TEST_MESSAGE("peak RSS " << before_kib << " KiB before the 64 MiB line, growth "
                                 << growth_kib << " KiB");
  // At most the 4 MiB limit is buffered, plus one read chunk.
  BOOST_TEST(growth_kib < 16 * 1024, "peak RSS grew by " << growth_kib << " KiB");
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(sigterm_and_sigint_end_the_server_with_exit_0) {
  for (int sig : {SIGTERM, SIGINT}) {
    temp_dir home;
    mcp_process p(home);
    p.initialize();
    p.send(ping_line(2));
    p.wait_for_lines(2);
    p.signal(sig); // stdin stays open: the signal alone ends it
    auto code = p.wait(5s);
    BOOST_REQUIRE_MESSAGE(code.has_value(), "still running 5 s after signal " << sig
                                                                              << "; stderr:\n"
                                                                              << p.err());
    BOOST_TEST(*code == 0, "signal " << sig << ": exit code " << *code << "; stderr:\n" << p.err());
    p.check_stdout_is_only_json_lines();
  }
}

BOOST_AUTO_TEST_CASE(logs_go_to_stderr_and_stdout_holds_only_messages) {
  temp_dir home;
  mcp_process p(home);
  p.initialize();
  p.send(ping_line(2));
  p.wait_for_lines(2);
  check_exits_0_on_end_of_input(p);
  BOOST_TEST(p.err().find("mcp server on stdio") != std::string::npos, p.err());
  BOOST_TEST(p.out_lines().size() == 2u, p.out());
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_CASE(a_subscribed_document_edited_on_disk_is_notified_and_an_added_one_too) {
  temp_dir home, kb;
  auto doc = [](const std::string& title, const std::string& body) {
    return "---\ntitle: " + title + "\n---\n\n# " + title + "\n\n" + body + "\n";
  };
  kb.write("INDEX.md", doc("Index", "Start here."));
  kb.write("guidelines/STYLE.md", doc("Style", "Write short sentences."));
  kb.write("guidelines/SECURITY.md", doc("Security", "Keep secrets out of the repository."));
  mcp_process p(home, {"--kb", kb.path().string()});
  auto init = p.initialize();
  BOOST_TEST(init["result"]["capabilities"]["resources"]["subscribe"] == true);
  BOOST_TEST(init["result"]["capabilities"]["resources"]["listChanged"] == true);
  const std::string style = "knowledge://guidelines/STYLE.md";
  p.send(R"({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":")" + style +
         "\"}}\n");
  auto answer =
      p.wait_for_message([](const json& m) { return m.value("id", 0) == 2; }, answer_limit);
  BOOST_TEST(answer["result"] == json::object(), answer.dump());

  kb.write("guidelines/STYLE.md", doc("Style", "Write short sentences and active verbs."));
  auto is = [](const char* method) {
    return [method](const json& m) { return m.value("method", "") == method; };
  };
  auto updated = p.wait_for_message(is("notifications/resources/updated"), change_limit);
  BOOST_TEST(updated["params"]["uri"] == style);

  kb.write("guidelines/TESTING.md", doc("Testing", "Test behaviour, not timing."));
  p.wait_for_message(is("notifications/resources/list_changed"), change_limit);
  for (const auto& line : p.out_lines()) // nothing about what was not subscribed
    if (auto m = json::parse(line); m.value("method", "") == "notifications/resources/updated")
      BOOST_TEST(m["params"]["uri"] == style);
  check_exits_0_on_end_of_input(p);
  p.check_stdout_is_only_json_lines();
}

BOOST_AUTO_TEST_SUITE_END()
