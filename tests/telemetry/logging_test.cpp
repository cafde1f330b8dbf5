// The real `sage` binary's logs: JSON lines with the documented fields, the console format,
// and SAGE_LOG_LEVEL against the -v/-q flags and bad values.
// SPDX-License-Identifier: MIT
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>

using nlohmann::json;
using sage::test::temp_dir;

namespace {

struct run_result {
  int code = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// `sage args` with `env` (`NAME=value ...`) in a private HOME, cache and data folder.
run_result run_sage(const temp_dir& home, const std::string& env,
                    const std::vector<std::string>& args) {
  auto dir = quote(home.path().string());
  std::string cmd = "cd " + dir +
                    " && env -u SAGE_KB_PATH -u SAGE_CONFIG_PATH -u SAGE_LOG_LEVEL "
                    "-u SAGE_LOGGING__FORMAT -u XDG_DATA_HOME HOME=" +
                    dir + " SAGE_CACHE_DIR=" + quote((home.path() / "cache").string()) +
                    " SAGE_DATA_DIR=" + quote((home.path() / "data").string()) + " " + env + " " +
                    quote(SAGE_BINARY);
  for (const auto& a : args)
    cmd += " " + quote(a);
  auto out = home.path() / "stdout", err = home.path() / "stderr";
  cmd += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(logging_process)

BOOST_AUTO_TEST_CASE(json_lines_parse_and_carry_the_documented_fields) {
  temp_dir home;
  auto r = run_sage(home, "SAGE_LOG_LEVEL=debug SAGE_LOGGING__FORMAT=json",
                    {"search", "circuit breaker", "--json"});
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  BOOST_TEST(json::parse(r.out).is_object()); // stdout still holds the result alone
  auto lines = lines_of(r.err);
  BOOST_REQUIRE(!lines.empty());
  static const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  static const std::set<std::string> levels{"TRACE",   "DEBUG", "INFO",
                                            "WARNING", "ERROR", "CRITICAL"};
  bool saw_load = false;
  for (const auto& line : lines) {
    BOOST_TEST_CONTEXT("line " << line) {
      json j;
      BOOST_REQUIRE_NO_THROW(j = json::parse(line));
      BOOST_TEST(j["timestamp"].is_string());
      BOOST_TEST(std::regex_match(j["timestamp"].get<std::string>(), rfc3339));
      BOOST_TEST(levels.count(j["level"].get<std::string>()) == 1u);
      BOOST_TEST(j["logger"] == "sage");
      BOOST_TEST(j["message"].is_string());
      BOOST_TEST(j["context"].is_object());
      if (j["message"] == "knowledge base loaded") {
        saw_load = true;
        BOOST_TEST(j["level"] == "DEBUG");
        BOOST_TEST(j["context"]["documents"].get<int>() > 0);
        BOOST_TEST(j["context"]["root"].is_string());
      }
    }
  }
  BOOST_TEST(saw_load);
}

BOOST_AUTO_TEST_CASE(the_console_format_keeps_spdlog_lines_with_fields_after_the_message) {
  temp_dir home;
  auto r = run_sage(home, "SAGE_LOG_LEVEL=DEBUG", {"search", "circuit breaker"});
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  static const std::regex line(
      R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[sage\] \[debug\] knowledge base loaded )"
      R"(root=\S+ documents=\d+ .*)");
  bool found = false;
  for (const auto& l : lines_of(r.err))
    found = found || std::regex_match(l, line);
  BOOST_TEST(found, "stderr:\n" << r.err);
}

BOOST_AUTO_TEST_CASE(flags_beat_sage_log_level) {
  temp_dir home;
  auto quiet = run_sage(home, "SAGE_LOG_LEVEL=debug SAGE_LOGGING__FORMAT=json",
                        {"-q", "search", "circuit breaker"});
  BOOST_REQUIRE_EQUAL(quiet.code, 0);
  BOOST_TEST(quiet.err.find("\"DEBUG\"") == std::string::npos, quiet.err);
  auto verbose = run_sage(home, "SAGE_LOG_LEVEL=error SAGE_LOGGING__FORMAT=json",
                          {"-v", "search", "circuit breaker"});
  BOOST_REQUIRE_EQUAL(verbose.code, 0);
  BOOST_TEST(verbose.err.find("\"DEBUG\"") != std::string::npos, verbose.err);
}

BOOST_AUTO_TEST_CASE(sage_log_level_beats_the_configuration_file) {
  temp_dir home;
  home.write("sage.yaml", "logging:\n  level: ERROR\n  format: json\n");
  auto from_file = run_sage(home, "", {"search", "circuit breaker"});
  BOOST_REQUIRE_EQUAL(from_file.code, 0);
  // Only the search's own note on stderr (`-- N results`), no log line.
  BOOST_TEST(from_file.err.find("\"level\"") == std::string::npos, from_file.err);
  BOOST_TEST(from_file.err.find("results in") != std::string::npos, from_file.err);
  auto from_env = run_sage(home, "SAGE_LOG_LEVEL=debug", {"search", "circuit breaker"});
  BOOST_REQUIRE_EQUAL(from_env.code, 0);
  BOOST_TEST(from_env.err.find("\"knowledge base loaded\"") != std::string::npos, from_env.err);
}

BOOST_AUTO_TEST_CASE(an_invalid_log_level_is_a_configuration_error_with_exit_2) {
  temp_dir home;
  auto r = run_sage(home, "SAGE_LOG_LEVEL=loud", {"search", "x"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("error: invalid value for logging.level in environment variable "
                        "SAGE_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARNING, ERROR, "
                        "CRITICAL, got \"loud\"") != std::string::npos,
             r.err);
  BOOST_TEST(r.err.find("hint: fix the value or unset SAGE_LOG_LEVEL") != std::string::npos);
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(an_invalid_log_format_is_a_configuration_error_with_exit_2) {
  temp_dir home;
  auto r = run_sage(home, "SAGE_LOGGING__FORMAT=xml", {"search", "x"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("invalid value for logging.format") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("expected one of console, json") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
