// The `sage` CLI fed hostile input as a process: deep JSON, endless or huge files, FIFOs and
// devices as configuration, durations past every clock, ids that are paths and stored terminal
// escapes. Each is refused with a clear error (or shown harmless), within a small bound of time
// and memory, and the next command works as usual.
// SPDX-License-Identifier: MIT
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using sage::test::contains;
using sage::test::sage_sandbox;

namespace {

/// A refusal comes at once; a hang is what the bound catches.
constexpr auto time_limit = 20s;
/// Peak resident memory allowed for a refused input: sage itself needs about 40 MiB, the
/// largest buffer is one 8 MiB import line; the defects measured 1.3 to 2.5 GB.
constexpr long peak_limit_kib = 256 * 1024;

/// What one measured run of `sage` gave.
struct measured {
  int code = -1; ///< exit code, 128 + signal when killed by one
  std::string out, err;
  long peak_kib = 0; ///< the child's own peak RSS (wait4)
  std::chrono::steady_clock::duration took{};
};

/// Runs `sage args` in the sandbox's HOME (its working directory) with stdin from `input`,
/// measuring the peak RSS of exactly that child, and kills it after `time_limit`.
measured run_measured(const sage_sandbox& sb, const std::vector<std::string>& args,
                      const std::string& input = "/dev/null",
                      const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view v{*e};
    if (!v.starts_with("SAGE_") && !v.starts_with("HOME=") && !v.starts_with("XDG_DATA_HOME=") &&
        !v.starts_with("NO_COLOR="))
      env.emplace_back(v);
  }
  env.push_back("HOME=" + sb.home.path().string());
  env.push_back("SAGE_CACHE_DIR=" + sb.cache_dir.string());
  env.push_back("SAGE_DATA_DIR=" + sb.data_dir.string());
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<std::string> argv_text{SAGE_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  auto c_strings = [](std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v)
      out.push_back(s.data());
    out.push_back(nullptr);
    return out;
  };
  auto argv = c_strings(argv_text);
  auto envp = c_strings(env);
  auto out_file = (sb.home.path() / "measured.out").string();
  auto err_file = (sb.home.path() / "measured.err").string();
  auto dir = sb.home.path().string();

  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int in_fd = ::open(input.c_str(), O_RDONLY);
    int out_fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0 || ::chdir(dir.c_str()) != 0) ::_exit(127);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  BOOST_REQUIRE(pid > 0);
  measured m;
  int status = 0;
  rusage usage{};
  for (;;) {
    pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() - start > time_limit) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      BOOST_ERROR("sage " << args.at(0) << " ran longer than the time limit and was killed");
      break;
    }
    std::this_thread::sleep_for(2ms);
  }
  m.took = std::chrono::steady_clock::now() - start;
  m.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.peak_kib = usage.ru_maxrss;
  m.out = sage::test::slurp(out_file);
  m.err = sage::test::slurp(err_file);
  return m;
}

/// The run stayed inside the time and memory bounds.
void check_bounded(const measured& m) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(m.took).count();
  BOOST_TEST_MESSAGE("took " << ms << " ms, peak RSS " << m.peak_kib << " KiB");
  BOOST_TEST(m.peak_kib < peak_limit_kib, "peak RSS " << m.peak_kib << " KiB");
  BOOST_TEST((m.took < time_limit), "took " << ms << " ms");
}

/// The CLI still works: an entry is added and listed.
void check_still_works(const sage_sandbox& sb) {
  auto added = sb.ok({"memory", "add", "still works"});
  auto listed = sb.ok({"memory", "list"});
  bool found = false;
  for (const auto& e : listed["entries"])
    found = found || e["id"] == added["id"];
  BOOST_TEST(found, listed.dump());
}

std::string nested_arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

/// An export line with `metadata` nested 75 000 levels (150 KB).
std::string deep_import_line() {
  return R"({"id":"1b4e28ba-2fa1-41d2-883f-0016d3cca427","type":"context","content":"x",)"
         R"("metadata":{"a":)" +
         nested_arrays(75000) + "}}\n";
}

bool has_raw_controls(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return true;
  return text.find("\xc2\x9b") != std::string::npos;
}

const std::string hostile_text = "\x1b]0;pwned\x07\x1b[2J tail \xc2\x9b"
                                 "31m";

} // namespace

BOOST_AUTO_TEST_SUITE(cli_hostile_input)

// -- nesting ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(import_of_a_line_nested_75000_deep_is_refused_not_a_crash) {
  sage_sandbox sb;
  auto file = sb.home.write("deep.jsonl", deep_import_line());
  auto r = sb({"memory", "import", file.string()});
  BOOST_TEST(r.code == 2, r.err);
  BOOST_TEST(contains(r.err, "line 1: the line nests objects and arrays deeper than 64 levels"),
             r.err);
  BOOST_TEST(sb.ok({"memory", "list"})["count"] == 0);
  check_still_works(sb);
}

BOOST_AUTO_TEST_CASE(memory_add_with_metadata_nested_60000_deep_is_refused) {
  sage_sandbox sb;
  // 60 000 levels: one argument may hold at most 128 KiB.
  auto r = sb({"memory", "add", "x", "--metadata", "{\"a\":" + nested_arrays(60000) + "}"});
  BOOST_TEST(r.code == 2, r.err);
  BOOST_TEST(contains(r.err, "the --metadata nests objects and arrays deeper than 63 levels"),
             r.err);
  check_still_works(sb);
}

BOOST_AUTO_TEST_CASE(stored_metadata_nested_too_deep_is_a_corrupt_entry_not_a_crash) {
  sage_sandbox sb;
  auto id = sb.ok({"memory", "add", "fine"})["id"].get<std::string>();
  // A database changed by hand holds what json_valid() accepts: up to 1000 levels.
  sb.sql("UPDATE memory_entries SET metadata = '{\"a\":" + nested_arrays(900) + "}' WHERE id = '" +
         id + "'");
  auto r = sb({"memory", "get", id});
  BOOST_TEST(r.code == 1, r.err);
  BOOST_TEST(contains(r.err, "failed to read memory entry: invalid metadata, id=" + id), r.err);
  sb.sql("UPDATE memory_entries SET metadata = '{}' WHERE id = '" + id + "'");
  BOOST_TEST(sb.ok({"memory", "get", id})["content"] == "fine");
}

BOOST_AUTO_TEST_CASE(a_config_file_nested_100000_deep_is_refused_naming_the_file) {
  sage_sandbox sb;
  auto file = sb.home.write("sage.yaml", std::string(100000, '['));
  auto m = run_measured(sb, {"memory", "list"});
  BOOST_TEST(m.code == 2, m.err);
  BOOST_TEST(contains(m.err, "failed to parse config file " + file.string() +
                                 ": it nests lists and maps too deeply at line 1"),
             m.err);
  check_bounded(m);
  fs::remove(file);
  check_still_works(sb);
}

BOOST_AUTO_TEST_CASE(front_matter_nested_100000_deep_is_a_document_problem_not_a_crash) {
  sage_sandbox sb;
  auto kb = sb.home.path() / "kb";
  sb.home.write("kb/deep.md", "---\ntags: " + std::string(100000, '[') + "\n---\n# Deep\n\nbody\n");
  sb.home.write("kb/fine.md", "# Fine\n\nsearchable words\n");
  auto m = run_measured(sb, {"--kb", kb.string(), "search", "searchable"});
  BOOST_TEST(m.code == 0, m.err);
  BOOST_TEST(contains(m.out, "Fine"), m.out);
  check_bounded(m);
}

// -- unbounded reads ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(import_of_dev_zero_is_refused_at_once) {
  sage_sandbox sb;
  auto m = run_measured(sb, {"memory", "import", "/dev/zero"});
  BOOST_TEST(m.code == 1, m.err);
  BOOST_TEST(contains(m.err, "failed to read import file /dev/zero: it is a character device, "
                             "not a regular file"),
             m.err);
  check_bounded(m);
  check_still_works(sb);
}

BOOST_AUTO_TEST_CASE(import_of_a_200_mib_line_is_refused_after_the_line_limit) {
  sage_sandbox sb;
  auto file = sb.home.path() / "huge.jsonl";
  {
    std::ofstream out(file, std::ios::binary);
    std::string block(std::size_t{1} << 20, 'a');
    for (int i = 0; i < 200; ++i)
      out << block;
  }
  auto m = run_measured(sb, {"memory", "import", file.string()});
  BOOST_TEST(m.code == 1, m.err);
  BOOST_TEST(contains(m.err, "line 1 is longer than the limit of 8388608 bytes"), m.err);
  BOOST_TEST(contains(m.err, "memory.import_max_line_bytes"), m.err);
  check_bounded(m);
  fs::remove(file);
  check_still_works(sb);
}

BOOST_AUTO_TEST_CASE(import_from_standard_input_is_bounded_per_line) {
  sage_sandbox sb;
  auto m = run_measured(sb, {"memory", "import", "-"}, "/dev/zero");
  BOOST_TEST(m.code == 1, m.err);
  BOOST_TEST(contains(m.err, "failed to read import from standard input: line 1 is longer than "
                             "the limit of 8388608 bytes"),
             m.err);
  check_bounded(m);
  // A small import on standard input still works.
  auto file = sb.home.write("one.jsonl", R"({"id":"2b4e28ba-2fa1-41d2-883f-0016d3cca427",)"
                                         R"("type":"context","content":"piped"})"
                                         "\n");
  auto piped = run_measured(sb, {"memory", "import", "-"}, file.string());
  BOOST_TEST(piped.code == 0, piped.err);
  BOOST_TEST(contains(piped.out, "imported 1, skipped 0"), piped.out);
}

BOOST_AUTO_TEST_CASE(a_fifo_or_a_device_as_configuration_is_refused_at_once) {
  sage_sandbox sb;
  auto fifo = sb.home.path() / "fifo";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  struct source {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string link; ///< a file in the working directory made a link to the target
    std::string target;
    std::string expected;
  };
  const std::string sage_yaml = (sb.home.path() / "sage.yaml").string();
  const std::string dotenv = (sb.home.path() / ".env").string();
  const std::vector<source> sources = {
      {{"--config", fifo.string()}, {}, "", "", "config file " + fifo.string() + ": it is a fifo"},
      {{"--config", "/dev/zero"}, {}, "", "", "config file /dev/zero: it is a character device"},
      {{}, {"SAGE_CONFIG_PATH=" + fifo.string()}, "", "", "config file " + fifo.string()},
      {{}, {"SAGE_CONFIG_PATH=/dev/zero"}, "", "", "config file /dev/zero"},
      {{}, {}, sage_yaml, "/dev/zero", "config file " + sage_yaml + ": it is a character device"},
      {{}, {}, sage_yaml, fifo.string(), "config file " + sage_yaml + ": it is a fifo"},
      {{}, {}, dotenv, "/dev/zero", "environment file " + dotenv + ": it is a character device"},
      {{}, {}, dotenv, fifo.string(), "environment file " + dotenv + ": it is a fifo"},
  };
  for (const auto& s : sources) {
    if (!s.link.empty()) fs::create_symlink(s.target, s.link);
    auto args = s.args;
    args.insert(args.end(), {"memory", "list"});
    auto m = run_measured(sb, args, "/dev/null", s.env);
    BOOST_TEST(m.code == 2, s.expected << ": " << m.err);
    BOOST_TEST(contains(m.err, "error: failed to read " + s.expected), m.err);
    BOOST_TEST(contains(m.err, "hint: point to a regular file"), m.err);
    check_bounded(m);
    if (!s.link.empty()) fs::remove(s.link);
  }
  check_still_works(sb);
}

// -- durations ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_deadline_past_every_clock_is_a_configuration_error) {
  sage_sandbox sb;
  for (auto [value, expected] : std::vector<std::pair<std::string, std::string>>{
           {"106752d", "expected a duration of at most 7d, got \"106752d\""},
           {"8d", "expected a duration of at most 7d, got \"8d\""}}) {
    auto m = run_measured(sb, {"memory", "list"}, "/dev/null", {"SAGE_TIMEOUT__FULL=" + value});
    BOOST_TEST(m.code == 2, m.err);
    BOOST_TEST(contains(m.err, "invalid value for timeout.full in environment variable "
                               "SAGE_TIMEOUT__FULL: " +
                                   expected),
               m.err);
  }
  auto prune = sb({"memory", "prune", "--older-than", "106752d"});
  BOOST_TEST(prune.code == 2, prune.err);
  BOOST_TEST(contains(prune.err, "it is longer than the maximum of 3650d"), prune.err);
  auto ok = run_measured(sb, {"memory", "list"}, "/dev/null", {"SAGE_TIMEOUT__FULL=7d"});
  BOOST_TEST(ok.code == 0, ok.err);
  check_still_works(sb);
}

// -- ids ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(import_refuses_a_session_id_that_memory_add_refuses) {
  sage_sandbox sb;
  auto add = sb({"memory", "add", "x", "--session", "../x"});
  BOOST_TEST(add.code == 2, add.err);
  BOOST_TEST(contains(add.err, "invalid session id `../x`: not a UUID"), add.err);
  auto file = sb.home.write("bad.jsonl", R"({"id":"1b4e28ba-2fa1-41d2-883f-0016d3cca427",)"
                                         R"("type":"context","content":"x","session_id":"../x"})"
                                         "\n");
  auto r = sb({"memory", "import", file.string()});
  BOOST_TEST(r.code == 2, r.err);
  BOOST_TEST(contains(r.err, "line 1: invalid session id `../x`: not a UUID"), r.err);
  BOOST_TEST(sb.ok({"memory", "list"})["count"] == 0);
  check_still_works(sb);
}

// -- terminal escapes ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stored_terminal_escapes_are_shown_escaped_to_people_and_kept_in_json) {
  sage_sandbox sb;
  auto added = sb.ok({"memory", "add", hostile_text, "--tag", "\x1b[31mred"});
  auto id = added["id"].get<std::string>();
  BOOST_TEST(added["content"] == hostile_text); // stored as given

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"memory", "get", id}, {"memory", "list"}, {"memory", "search", "pwned"}}) {
    auto r = sb(args);
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(!has_raw_controls(r.out), args[1] << ": " << r.out);
    BOOST_TEST(contains(r.out, "\\x1b]0;pwned\\x07\\x1b[2J"), args[1] << ": " << r.out);
  }
  auto get = sb({"memory", "get", id});
  BOOST_TEST(contains(get.out, "\\u009b31m"), get.out);
  BOOST_TEST(contains(get.out, "\\x1b[31mred"), get.out);
  // Programs get the text as it is.
  BOOST_TEST(sb.ok({"memory", "get", id})["content"] == hostile_text);
  // The export is data: unchanged.
  auto exported = sb({"memory", "export"});
  BOOST_TEST(exported.code == 0);
  BOOST_TEST(json::parse(exported.out)["content"] == hostile_text);
  // Errors echo input on stderr, escaped too.
  auto bad = sb({"memory", "get", "\x1b[2J"});
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(!has_raw_controls(bad.err), bad.err);
  BOOST_TEST(contains(bad.err, "invalid memory entry id `\\x1b[2J`"), bad.err);
}

BOOST_AUTO_TEST_CASE(session_and_knowledge_text_with_escapes_is_shown_escaped) {
  sage_sandbox sb;
  auto id =
      sb.ok({"session", "start", hostile_text, "--step", "\x1b[2Jstep"})["id"].get<std::string>();
  for (const auto& args : std::vector<std::vector<std::string>>{{"session", "status", id},
                                                                {"session", "handoff", id}}) {
    auto r = sb(args);
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(!has_raw_controls(r.out), args[1] << ": " << r.out);
    BOOST_TEST(contains(r.out, "\\x1b]0;pwned"), args[1] << ": " << r.out);
  }
  sb.home.write("kb/evil.md", "# Evil \x1b]0;pwned\x07 title\n\nsearchable \x1b[2J body\n");
  auto kb = (sb.home.path() / "kb").string();
  auto search = sb({"--kb", kb, "search", "searchable"});
  BOOST_TEST(search.code == 0, search.err);
  BOOST_TEST(!has_raw_controls(search.out), search.out);
  BOOST_TEST(contains(search.out, "\\x1b]0;pwned\\x07"), search.out);
}

// -- pathological knowledge ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_20_mb_line_without_spaces_is_served_and_validate_warns) {
  // A 50 MB line of letters without a space took 1.5 GB and timed every command out: BPE
  // merged it as one piece. 20 MB of it now costs one slice to count.
  sage_sandbox sb;
  std::string line;
  line.reserve(20u << 20);
  uint32_t x = 12345;
  while (line.size() < (20u << 20)) {
    x = x * 1103515245u + 12345u;
    line += static_cast<char>('a' + (x >> 16) % 26);
  }
  sb.home.write("kb/core/blob.md", "# Blob\n\n" + line + "\n\n## After\n\nplain words here\n");
  sb.home.write("kb/core/plain.md", "# Plain\n\nordinary searchable text\n");
  line.clear();
  line.shrink_to_fit();
  const auto kb = (sb.home.path() / "kb").string();

  auto validated = run_measured(sb, {"--kb", kb, "--json", "validate"});
  check_bounded(validated);
  auto report = json::parse(validated.out);
  bool warned = false;
  for (const auto& issue : report["issues"])
    warned = warned || (issue["kind"] == "long_word" && issue["path"] == "core/blob.md" &&
                        issue["line"] == 3);
  BOOST_TEST(warned, validated.out.substr(0, 2000));

  auto found = run_measured(sb, {"--kb", kb, "--json", "search", "ordinary"});
  check_bounded(found);
  BOOST_TEST(found.code == 0, found.err);
  BOOST_TEST(contains(found.out, "core/plain.md"), found.out.substr(0, 500));

  // The blob itself is answered (within a budget), not a timeout and a fallback.
  auto got = run_measured(sb, {"--kb", kb, "--json", "get", "core/blob.md", "--budget", "500"});
  check_bounded(got);
  BOOST_TEST(got.code == 0, got.err.substr(0, 500));
  BOOST_TEST(!contains(got.err, "timed out"), got.err.substr(0, 500));
  check_still_works(sb);
}

BOOST_AUTO_TEST_SUITE_END()
