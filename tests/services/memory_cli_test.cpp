// The `sage memory`, `sage session` and `sage budget` commands driven as a process: whole flows
// with their --json shapes, exit codes of bad input, and the database checked with sqlite3.
// SPDX-License-Identifier: MIT
#include "support/test_support.hpp"

#include "core/config.hpp"
#include "core/tokenizer.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>

namespace fs = std::filesystem;
using sage::test::temp_dir;

namespace {

struct run_result {
  int code = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs `sage` with a private HOME, cache and data dir, none of the caller's SAGE_* or
/// XDG_DATA_HOME, so tests never touch the user's memory database.
struct memory_sandbox {
  temp_dir home;
  fs::path data_dir = home.path() / "data";

  fs::path db() const { return data_dir / "memory.db"; }

  run_result operator()(const std::vector<std::string>& args, const std::string& env = "") const {
    return run(args, std::nullopt, env);
  }

  /// Runs with `input` on standard input.
  run_result with_input(const std::vector<std::string>& args, const std::string& input,
                        const std::string& env = "") const {
    return run(args, input, env);
  }

  run_result run(const std::vector<std::string>& args, const std::optional<std::string>& input,
                 const std::string& env) const {
    auto in = home.path() / "stdin";
    if (input) home.write("stdin", *input);
    std::string cmd = "cd " + shell_quote(home.path().string()) +
                      " && env -u SAGE_KB_PATH -u SAGE_CONFIG_PATH -u XDG_DATA_HOME "
                      "-u SAGE_DATA_DIR -u NO_COLOR HOME=" +
                      shell_quote(home.path().string()) +
                      " SAGE_CACHE_DIR=" + shell_quote((home.path() / "cache").string()) +
                      " SAGE_DATA_DIR=" + shell_quote(data_dir.string()) + " " + env + " " +
                      shell_quote(SAGE_BINARY);
    for (const auto& a : args)
      cmd += " " + shell_quote(a);
    auto out = home.path() / "stdout", err = home.path() / "stderr";
    cmd += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string()) + " <" +
           (input ? shell_quote(in.string()) : std::string("/dev/null"));
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  /// Runs `args` with --json and requires exit 0; returns the JSON.
  nlohmann::json ok(std::vector<std::string> args, const std::string& env = "") const {
    args.push_back("--json");
    auto r = (*this)(args, env);
    BOOST_REQUIRE_MESSAGE(r.code == 0, "sage exited " << r.code << ": " << r.err);
    return r.json();
  }

  /// Output of the real sqlite3 tool on the memory database.
  std::string sql(const std::string& query) const {
    auto out = home.path() / "sqlite.out";
    std::string cmd = "sqlite3 -batch " + shell_quote(db().string()) + " " + shell_quote(query) +
                      " >" + shell_quote(out.string()) + " 2>&1";
    int status = std::system(cmd.c_str());
    auto text = slurp(out);
    BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                          "sqlite3 failed: " << text);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    return text;
  }

  void check_integrity() const { BOOST_TEST(sql("PRAGMA integrity_check;") == "ok"); }
};

bool is_uuid(const std::string& s) {
  static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  return std::regex_match(s, uuid);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::set<std::string> ids_of(const nlohmann::json& entries) {
  std::set<std::string> out;
  for (const auto& e : entries)
    out.insert(e["id"].get<std::string>());
  return out;
}

/// Neither group nor others may read or write the file.
bool private_file(const fs::path& p) {
  auto mode = fs::status(p).permissions();
  return (mode & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none;
}

const std::string unknown_id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

} // namespace

BOOST_AUTO_TEST_SUITE(memory_cli_process)

BOOST_AUTO_TEST_CASE(memory_entry_add_get_list_search_update_delete) {
  memory_sandbox sage;
  auto a = sage.ok({"memory", "add", "Retry the HTTP call three times with exponential backoff",
                    "--type", "decision", "--priority", "HIGH", "--tag", "http", "--tag", "retry",
                    "--metadata", R"({"source": "chat"})"});
  auto a_id = a["id"].get<std::string>();
  BOOST_REQUIRE(is_uuid(a_id));
  BOOST_TEST(a["type"] == "decision");
  BOOST_TEST(a["priority"] == 70);
  BOOST_TEST(a["tokens"].get<int>() > 5);
  BOOST_TEST(a["tags"] == nlohmann::json({"http", "retry"}));
  BOOST_TEST(a["metadata"]["source"] == "chat");
  BOOST_TEST(a["is_summarized"] == false);
  BOOST_TEST(!a["created_at"].get<std::string>().empty());
  for (const char* key : {"content", "session_id", "task_id", "updated_at", "summary_of"})
    BOOST_TEST(a.contains(key), key);

  // For people, add prints just the id, so `id=$(sage memory add …)` works; `-` reads stdin.
  auto b_run = sage.with_input({"memory", "add", "-", "--priority", "20"},
                               "The client lives in net/http_client.cpp\n");
  BOOST_REQUIRE_EQUAL(b_run.code, 0);
  auto b = b_run.out.substr(0, b_run.out.size() - 1);
  BOOST_TEST(is_uuid(b));
  BOOST_TEST(b_run.out.back() == '\n');

  auto got = sage.ok({"memory", "get", b});
  BOOST_TEST(got["content"] == "The client lives in net/http_client.cpp\n");
  BOOST_TEST(got["type"] == "context");
  BOOST_TEST(got["priority"] == 20);
  auto shown = sage({"memory", "get", a_id});
  BOOST_TEST(shown.code == 0);
  BOOST_TEST(contains(shown.out, "exponential backoff"));
  BOOST_TEST(contains(shown.out, "HIGH"));

  auto all = sage.ok({"memory", "list"});
  BOOST_TEST(all["count"] == 2);
  BOOST_TEST(all["entries"][0]["id"] == b); // newest first
  BOOST_TEST(all["next_cursor"].is_null());
  BOOST_TEST(sage.ok({"memory", "list", "--asc"})["entries"][0]["id"] == a_id);
  BOOST_TEST(sage.ok({"memory", "list", "--tag", "retry"})["count"] == 1);
  BOOST_TEST(
      sage.ok({"memory", "list", "--tag", "retry", "--tag", "nope", "--all-tags"})["count"] == 0);
  BOOST_TEST(sage.ok({"memory", "list", "--type", "decision"})["entries"][0]["id"] == a_id);
  BOOST_TEST(sage.ok({"memory", "list", "--min-priority", "NORMAL"})["count"] == 1);
  BOOST_TEST(sage.ok({"memory", "list", "--max-priority", "LOW"})["entries"][0]["id"] == b);
  BOOST_TEST(sage.ok({"memory", "list", "--order", "priority"})["entries"][0]["id"] == a_id);

  // Paging: a cursor leads to the rest and the last page has none.
  auto first = sage.ok({"memory", "list", "--limit", "1"});
  BOOST_TEST(first["count"] == 1);
  BOOST_REQUIRE(first["next_cursor"].is_string());
  auto second = sage.ok(
      {"memory", "list", "--limit", "1", "--cursor", first["next_cursor"].get<std::string>()});
  BOOST_TEST(second["entries"][0]["id"] == a_id);
  BOOST_TEST(second["next_cursor"].is_null());
  auto table = sage({"memory", "list"});
  BOOST_TEST(table.code == 0);
  BOOST_TEST(contains(table.out, b));
  BOOST_TEST(contains(table.out, "priority"));

  auto found = sage.ok({"memory", "search", "backoff"});
  BOOST_TEST(found["count"] == 1);
  BOOST_TEST(found["entries"][0]["id"] == a_id);
  BOOST_TEST(sage.ok({"memory", "search", "backoff", "--type", "context"})["count"] == 0);
  BOOST_TEST(sage.ok({"memory", "search", "nonexistentword"})["count"] == 0);

  auto u =
      sage.ok({"memory", "update", a_id, "--content", "Retry twice, then give up", "--priority",
               "low", "--tag", "only", "--metadata", R"({"source": null, "reviewed": true})"});
  BOOST_TEST(u["content"] == "Retry twice, then give up");
  BOOST_TEST(u["priority"] == 30);
  BOOST_TEST(u["tags"] == nlohmann::json({"only"}));
  BOOST_TEST(u["metadata"] == nlohmann::json({{"reviewed", true}}));
  BOOST_TEST(u["type"] == "decision");
  BOOST_TEST(u["updated_at"].get<std::string>() >= u["created_at"].get<std::string>());
  BOOST_TEST(sage.ok({"memory", "update", a_id, "--clear-tags"})["tags"].empty());
  BOOST_TEST(sage.ok({"memory", "search", "backoff"})["count"] == 0);
  BOOST_TEST(sage.ok({"memory", "search", "twice"})["count"] == 1);

  auto del = sage.ok({"memory", "delete", a_id});
  BOOST_TEST(del["deleted"] == a_id);
  BOOST_TEST(sage({"memory", "get", a_id}).code == 3);
  BOOST_TEST(sage({"memory", "delete", a_id}).code == 3);
  BOOST_TEST(sage.ok({"memory", "list"})["count"] == 1);

  sage.check_integrity();
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;") == "1");
  BOOST_TEST(sage.sql("SELECT id FROM memory_entries;") == b);
  // The database is private to its user.
  BOOST_TEST(private_file(sage.db()));
}

BOOST_AUTO_TEST_CASE(memory_bad_input_exits_2_and_unknown_ids_exit_3) {
  memory_sandbox sage;
  auto bad_id = sage({"memory", "get", "not-a-uuid"});
  BOOST_TEST(bad_id.code == 2);
  BOOST_TEST(contains(bad_id.err, "not a UUID"));
  BOOST_TEST(contains(bad_id.err, "hint:"));
  auto unknown = sage({"memory", "get", unknown_id});
  BOOST_TEST(unknown.code == 3);
  BOOST_TEST(contains(unknown.err, "memory entry not found"));
  BOOST_TEST(contains(unknown.err, "hint: run `sage memory list`"));
  auto unknown_json = sage({"memory", "get", unknown_id, "--json"});
  BOOST_TEST(unknown_json.code == 3);
  BOOST_TEST(unknown_json.json()["error"]["code"] == "not_found");
  BOOST_TEST(sage({"memory", "update", unknown_id, "--priority", "HIGH"}).code == 3);
  BOOST_TEST(sage({"memory", "delete", "x"}).code == 2);

  auto priority = sage({"memory", "add", "x", "--priority", "URGENT"});
  BOOST_TEST(priority.code == 2);
  BOOST_TEST(contains(priority.err, "invalid priority `URGENT`"));
  BOOST_TEST(contains(priority.err, "CRITICAL"));
  BOOST_TEST(sage({"memory", "add", "x", "--priority", "101"}).code == 2);
  BOOST_TEST(sage({"memory", "add", "x", "--priority", "-1"}).code == 2);
  auto type = sage({"memory", "add", "x", "--type", "note"});
  BOOST_TEST(type.code == 2);
  BOOST_TEST(contains(type.err, "unknown memory type `note`"));
  BOOST_TEST(sage({"memory", "list", "--type", "note"}).code == 2);
  auto order = sage({"memory", "list", "--order", "random"});
  BOOST_TEST(order.code == 2);
  BOOST_TEST(contains(order.err, "created, updated, priority"));
  BOOST_TEST(sage({"memory", "list", "--limit", "0"}).code == 2);
  BOOST_TEST(sage({"memory", "list", "--limit", "5000"}).code == 2);
  BOOST_TEST(sage({"memory", "list", "--min-priority", "HIGH", "--max-priority", "LOW"}).code == 2);
  BOOST_TEST(sage({"memory", "list", "--all-tags"}).code == 2);
  BOOST_TEST(sage({"memory", "list", "--cursor", "garbage"}).code == 2);
  BOOST_TEST(sage({"memory", "list", "--session", "abc"}).code == 2);

  auto not_object = sage({"memory", "add", "x", "--metadata", "[1, 2]"});
  BOOST_TEST(not_object.code == 2);
  BOOST_TEST(contains(not_object.err, "--metadata is not a json object"));
  auto malformed = sage({"memory", "add", "x", "--metadata", "{\"a\": "});
  BOOST_TEST(malformed.code == 2);
  BOOST_TEST(contains(malformed.err, "--metadata is not valid json"));

  auto bad_utf8 = sage({"memory", "add", "time\xff\xfeout"});
  BOOST_TEST(bad_utf8.code == 2);
  BOOST_TEST(contains(bad_utf8.err, "utf-8"));
  BOOST_TEST(sage.with_input({"memory", "add", "-"}, "caf\xc3").code == 2);
  BOOST_TEST(sage({"memory", "add", "x", "--tag", "\xfe"}).code == 2);
  BOOST_TEST(sage({"memory", "add", "x", "--task", "\xc3("}).code == 2);
  auto empty = sage({"memory", "add", ""});
  BOOST_TEST(empty.code == 2);
  BOOST_TEST(contains(empty.err, "memory entry content is empty"));
  BOOST_TEST(sage({"memory", "add", " \n\t"}).code == 2);
  BOOST_TEST(sage.with_input({"memory", "add", "-"}, "").code == 2);
  BOOST_TEST(sage({"memory", "search", "  "}).code == 2);
  BOOST_TEST(sage({"memory", "search", "\xff"}).code == 2);

  // Content over memory.max_content_bytes, as an argument and on stdin.
  const std::string limit = "SAGE_MEMORY__MAX_CONTENT_BYTES=100";
  auto big = sage({"memory", "add", std::string(200, 'a')}, limit);
  BOOST_TEST(big.code == 2);
  BOOST_TEST(contains(big.err, "too large"));
  auto big_stdin = sage.with_input({"memory", "add", "-"}, std::string(5000, 'b'), limit);
  BOOST_TEST(big_stdin.code == 2);
  BOOST_TEST(contains(big_stdin.err, "more than 100 bytes"));
  BOOST_TEST(sage({"memory", "add", std::string(100, 'a')}, limit).code == 0);

  auto unknown_session = sage({"memory", "add", "x", "--session", unknown_id});
  BOOST_TEST(unknown_session.code == 3);
  BOOST_TEST(contains(unknown_session.err, "session not found"));
  BOOST_TEST(sage({"memory", "add", "x", "--session", "abc"}).code == 2);

  auto nothing = sage({"memory", "update", unknown_id});
  BOOST_TEST(nothing.code == 2);
  BOOST_TEST(contains(nothing.err, "nothing to update"));
  BOOST_TEST(sage({"memory", "update", unknown_id, "--tag", "a", "--clear-tags"}).code == 2);
  BOOST_TEST(sage({"memory", "update", unknown_id, "--metadata", "7"}).code == 2);

  auto no_criterion = sage({"memory", "prune"});
  BOOST_TEST(no_criterion.code == 2);
  BOOST_TEST(contains(no_criterion.err, "at least one criterion"));
  auto bad_duration = sage({"memory", "prune", "--older-than", "soon"});
  BOOST_TEST(bad_duration.code == 2);
  BOOST_TEST(contains(bad_duration.err, "invalid duration `soon`"));
  BOOST_TEST(sage({"memory", "prune", "--older-than", "-5m"}).code == 2);
  BOOST_TEST(sage({"memory", "prune", "--retention", "--max-priority", "LOW"}).code == 2);
  BOOST_TEST(sage({"memory", "prune", "--max-priority", "BIG"}).code == 2);

  auto missing = sage({"memory", "import", (sage.home / "nope.jsonl").string()});
  BOOST_TEST(missing.code == 3);
  BOOST_TEST(contains(missing.err, "import file not found"));
  BOOST_TEST(sage({"memory", "import", sage.home.path().string()}).code == 2);
  auto bad_lines =
      sage.home.write("bad.jsonl", "{\"id\": \"" + unknown_id +
                                       "\", \"type\": \"context\", \"content\": \"ok\"}\n"
                                       "not json\n{\"type\": \"note\", \"content\": \"x\"}\n");
  auto bad_import = sage({"memory", "import", bad_lines.string()});
  BOOST_TEST(bad_import.code == 2);
  BOOST_TEST(contains(bad_import.err, "bad lines 2, 3"));
  BOOST_TEST(contains(bad_import.err, "nothing was imported"));
  BOOST_TEST(sage({"memory", "export", "--session", "abc"}).code == 2);
  BOOST_TEST(sage({"memory", "export", "-o", (sage.home / "no/such/dir/x.jsonl").string()}).code ==
             1);

  BOOST_TEST(sage({"memory"}).code == 2);
  BOOST_TEST(sage({"memory", "frobnicate"}).code == 2);
  BOOST_TEST(sage({"memory", "get"}).code == 2);

  // Only the one entry of the right size was stored.
  sage.check_integrity();
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;") == "1");
}

BOOST_AUTO_TEST_CASE(session_flow_checkpoint_resume_handoff_end) {
  memory_sandbox sage;
  auto s = sage.ok({"session", "start", "Add retries to the HTTP client", "--step", "write tests",
                    "--step", "implement backoff", "--step", "document it", "--task", "T-42"});
  auto id = s["id"].get<std::string>();
  BOOST_REQUIRE(is_uuid(id));
  BOOST_TEST(s["status"] == "active");
  BOOST_TEST(s["task_id"] == "T-42");
  BOOST_REQUIRE_EQUAL(s["steps"].size(), 3u);
  BOOST_TEST(s["steps"][0] ==
             nlohmann::json({{"text", "write tests"}, {"done", false}, {"done_at", nullptr}}));

  auto u = sage.ok({"session", "update", id, "--complete-step", "0", "--action", "wrote tests",
                    "--result", "three tests fail as expected", "--decision",
                    "Use exponential backoff with jitter, capped at 30 seconds"});
  BOOST_TEST(u["steps"][0]["done"] == true);
  BOOST_TEST(u["steps"][1]["done"] == false);
  BOOST_TEST(u["last_action"] == "wrote tests");
  auto note = sage.ok({"memory", "add", "The client lives in net/http_client.cpp", "--session", id,
                       "--type", "context"});
  BOOST_TEST(note["session_id"] == id);
  auto note_id = note["id"].get<std::string>();
  auto before = sage.ok({"memory", "list", "--session", id});
  BOOST_REQUIRE_EQUAL(before["count"], 2);
  BOOST_TEST(before["entries"][1]["type"] == "decision");
  BOOST_TEST(before["entries"][1]["priority"] == 70);

  auto cp = sage.ok({"session", "checkpoint", id, "--label", "before backoff"});
  auto cp_id = cp["id"].get<std::string>();
  BOOST_REQUIRE(is_uuid(cp_id));
  BOOST_TEST(cp["session_id"] == id);
  BOOST_TEST(cp["label"] == "before backoff");
  BOOST_TEST(cp["entries"] == 2);
  BOOST_TEST(cp["tokens"].get<int>() > 0);

  // More work after the checkpoint: a step done by its text, a new step, new and deleted entries.
  auto more = sage.ok({"session", "update", id, "--complete-step", "implement backoff", "--context",
                       "The backoff lives in net/retry.cpp", "--add-step", "benchmark it"});
  BOOST_TEST(more["steps"][1]["done"] == true);
  BOOST_TEST(more["steps"].size() == 4u);
  BOOST_TEST(sage.ok({"memory", "delete", note_id})["deleted"] == note_id);
  sage.ok({"memory", "add", "scratch note", "--session", id, "--priority", "EPHEMERAL"});
  BOOST_TEST(sage.ok({"memory", "list", "--session", id})["count"] == 3);
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries WHERE session_id = '" + id + "';") ==
             "3");

  // Resuming brings the session and exactly its entries back to the checkpoint.
  auto r = sage.ok({"session", "resume", cp_id});
  BOOST_TEST(r["id"] == id);
  BOOST_TEST(r["steps"].size() == 3u);
  BOOST_TEST(r["steps"][0]["done"] == true);
  BOOST_TEST(r["steps"][1]["done"] == false);
  BOOST_TEST(r["last_action"] == "wrote tests");
  auto after = sage.ok({"memory", "list", "--session", id});
  BOOST_TEST(ids_of(after["entries"]) == ids_of(before["entries"]));
  BOOST_TEST(sage.ok({"memory", "get", note_id})["content"] ==
             "The client lives in net/http_client.cpp");
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries WHERE session_id = '" + id + "';") ==
             "2");
  BOOST_TEST(sage({"session", "resume", unknown_id}).code == 3);

  // The handoff fits the asked number of tokens, counted here with the same encoding.
  auto counter = sage::core::token_counter::load(sage::core::default_config().token_encoding,
                                                 SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(counter);
  auto whole = sage.ok({"session", "handoff", id, "--max-tokens", "100000"})["tokens"].get<int>();
  for (int max : {2000, whole, whole - 1, whole - 25}) {
    auto h = sage.ok({"session", "handoff", id, "--max-tokens", std::to_string(max)});
    auto markdown = h["markdown"].get<std::string>();
    BOOST_TEST(h["session_id"] == id);
    BOOST_TEST(h["max_tokens"] == max);
    BOOST_TEST(h["tokens"].get<int>() <= max);
    BOOST_TEST(counter->count(markdown) == h["tokens"].get<size_t>());
    BOOST_TEST(contains(markdown, "Add retries"));
    BOOST_TEST(h["package"]["session_id"] == id);
    BOOST_TEST(h["package"]["objective"] == "Add retries to the HTTP client");
  }
  auto full = sage.ok({"session", "handoff", id});
  BOOST_TEST(full["max_tokens"] == 2000);
  BOOST_TEST(contains(full["markdown"].get<std::string>(), "exponential backoff"));
  BOOST_TEST(full["package"]["pending_steps"].size() == 2u);
  auto people = sage({"session", "handoff", id});
  BOOST_TEST(people.code == 0);
  BOOST_TEST((people.out == full["markdown"].get<std::string>() ||
              people.out == full["markdown"].get<std::string>() + "\n"));
  auto tiny = sage({"session", "handoff", id, "--max-tokens", "5"});
  BOOST_TEST(tiny.code == 2);
  BOOST_TEST(contains(tiny.err, "hint:"));
  BOOST_TEST(sage({"session", "handoff", id, "--max-tokens", "0"}).code == 2);
  BOOST_TEST(sage({"session", "handoff", id, "--max-tokens", "many"}).code == 2);

  auto st = sage.ok({"session", "status", id});
  BOOST_TEST(st["session"]["id"] == id);
  BOOST_TEST(st["checkpoints"].size() == 1u);
  BOOST_TEST(st["checkpoints"][0]["id"] == cp_id);
  BOOST_TEST(st["budget"]["level"] == "normal");
  auto text = sage({"session", "status", id});
  BOOST_TEST(text.code == 0);
  BOOST_TEST(contains(text.out, "[x] write tests"));
  BOOST_TEST(contains(text.out, "1  [ ] implement backoff"));
  BOOST_TEST(contains(text.out, cp_id));
  auto listed = sage.ok({"session", "status"});
  BOOST_TEST(listed["count"] == 1);
  BOOST_TEST(listed["sessions"][0]["id"] == id);
  BOOST_TEST(sage.ok({"session", "status", "--status", "ended"})["count"] == 0);

  auto ended = sage.ok({"session", "end", id});
  BOOST_TEST(ended["status"] == "ended");
  BOOST_TEST(!ended["ended_at"].get<std::string>().empty());
  BOOST_TEST(sage.ok({"session", "status", "--status", "ended"})["sessions"][0]["id"] == id);
  BOOST_TEST(sage.ok({"session", "status", "--status", "active"})["count"] == 0);
  auto again = sage({"session", "end", id});
  BOOST_TEST(again.code == 2);
  BOOST_TEST(contains(again.err, "session has ended"));
  BOOST_TEST(sage({"session", "update", id, "--action", "more"}).code == 2);

  sage.check_integrity();
  BOOST_TEST(sage.sql("SELECT count(*) FROM sessions;") == "1");
  BOOST_TEST(sage.sql("SELECT count(*) FROM checkpoints;") == "1");
}

BOOST_AUTO_TEST_CASE(session_bad_input_exit_codes) {
  memory_sandbox sage;
  auto empty = sage({"session", "start", ""});
  BOOST_TEST(empty.code == 2);
  BOOST_TEST(contains(empty.err, "session objective is empty"));
  BOOST_TEST(contains(empty.err, "hint:"));
  BOOST_TEST(sage({"session", "start", "  \n"}).code == 2);
  BOOST_TEST(sage({"session", "start", "fix\xff"}).code == 2);
  BOOST_TEST(sage({"session", "start", "fix it", "--step", ""}).code == 2);
  BOOST_TEST(sage({"session", "start"}).code == 2);
  BOOST_TEST(sage({"session", "update", "abc", "--action", "x"}).code == 2);
  BOOST_TEST(sage({"session", "update", unknown_id, "--action", "x"}).code == 3);
  BOOST_TEST(sage({"session", "status", unknown_id}).code == 3);
  BOOST_TEST(sage({"session", "status", "--status", "paused"}).code == 2);
  BOOST_TEST(sage({"session", "checkpoint", unknown_id}).code == 3);
  BOOST_TEST(sage({"session", "handoff", unknown_id}).code == 3);
  BOOST_TEST(sage({"session", "end", unknown_id}).code == 3);
  BOOST_TEST(sage({"session", "resume", "not-a-checkpoint"}).code == 2);

  auto id = sage.ok({"session", "start", "fix it", "--step", "one"})["id"].get<std::string>();
  auto nothing = sage({"session", "update", id});
  BOOST_TEST(nothing.code == 2);
  BOOST_TEST(contains(nothing.err, "nothing to update"));
  BOOST_TEST(sage({"session", "update", id, "--complete-step", "7"}).code == 2);
  auto no_step = sage({"session", "update", id, "--complete-step", "no such step"});
  BOOST_TEST(no_step.code == 3);
  BOOST_TEST(contains(no_step.err, "step not found"));
  BOOST_TEST(sage({"session", "update", id, "--decision", " "}).code == 2);
  BOOST_TEST(sage({"session", "update", id, "--result", "\xff"}).code == 2);

  BOOST_TEST(sage({"budget", "--check", "10"}).code == 2);
  BOOST_TEST(sage({"budget", "--session", unknown_id}).code == 3);
  BOOST_TEST(sage({"budget", "--session", "abc"}).code == 2);
  BOOST_TEST(sage({"budget", "--session", id, "--check", "-3"}).code == 2);
  BOOST_TEST(sage({"budget", "--session", id, "--check", "lots"}).code == 2);
  // A refused request changed nothing.
  auto st = sage.ok({"session", "status", id});
  BOOST_TEST(st["session"]["steps"][0]["done"] == false);
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;") == "0");
}

BOOST_AUTO_TEST_CASE(budget_reports_levels_and_checks_additions) {
  memory_sandbox sage;
  // A small budget so that a few entries reach the levels: available = 1000 - 100 = 900.
  const std::string small = "SAGE_BUDGET__MAX_TOKENS=1000 SAGE_BUDGET__RESERVED_TOKENS=100";
  auto id = sage.ok({"session", "start", "measure the budget"}, small)["id"].get<std::string>();
  auto e = sage.ok({"memory", "add", "Sessions keep their memory entries in SQLite.", "--session",
                    id, "--priority", "HIGH"},
                   small);
  auto report = sage.ok({"budget", "--session", id}, small);
  BOOST_TEST(report["session_id"] == id);
  BOOST_TEST(report["level"] == "normal");
  BOOST_TEST(report["status"]["used"] == e["tokens"]);
  BOOST_TEST(report["status"]["available"] == 900);
  BOOST_TEST(report["status"]["max_tokens"] == 1000);
  BOOST_TEST(report["status"]["remaining"] == 900 - e["tokens"].get<int>());
  BOOST_TEST(report["status"]["thresholds"]["critical"] == 0.9);
  BOOST_TEST(!report["recommendations"].empty());
  BOOST_TEST(contains(report["markdown"].get<std::string>(), "NORMAL"));
  auto people = sage({"budget", "--session", id}, small);
  BOOST_TEST(people.code == 0);
  BOOST_TEST(people.out == report["markdown"].get<std::string>());

  auto fits = sage({"budget", "--session", id, "--check", "100", "--json"}, small);
  BOOST_TEST(fits.code == 0);
  BOOST_TEST(fits.json()["fits"] == true);
  BOOST_TEST(fits.json()["tokens"] == 100);
  BOOST_TEST(fits.json()["used_after"] == e["tokens"].get<int>() + 100);
  auto too_many = sage({"budget", "--session", id, "--check", "900", "--json"}, small);
  BOOST_TEST(too_many.code == 4);
  BOOST_TEST(too_many.json()["fits"] == false);
  BOOST_TEST(too_many.json()["level_after"] == "overflow");
  auto text = sage({"budget", "--session", id, "--check", "900"}, small);
  BOOST_TEST(text.code == 4);
  BOOST_TEST(contains(text.out, "does not fit"));

  // Adding about 75 % of the budget moves the session to caution.
  std::string words;
  for (int i = 0; i < 700; ++i)
    words += "word ";
  sage.ok({"memory", "add", words, "--session", id, "--priority", "HIGH"}, small);
  BOOST_TEST(sage.ok({"budget", "--session", id}, small)["level"] != "normal");

  auto all = sage.ok({"budget"}, small);
  BOOST_TEST(all["count"] == 1);
  BOOST_TEST(all["sessions"][0]["session_id"] == id);
  BOOST_TEST(all["sessions"][0]["status"]["used"].get<int>() > 700);
  auto table = sage({"budget"}, small);
  BOOST_TEST(table.code == 0);
  BOOST_TEST(contains(table.out, id));
  sage.ok({"session", "end", id}, small);
  BOOST_TEST(sage.ok({"budget"}, small)["count"] == 0);
}

BOOST_AUTO_TEST_CASE(summarised_entries_are_hidden_unless_asked_for) {
  memory_sandbox sage;
  const std::string small = "SAGE_BUDGET__MAX_TOKENS=1000 SAGE_BUDGET__RESERVED_TOKENS=100";
  auto id = sage.ok({"session", "start", "talk a lot"}, small)["id"].get<std::string>();
  // Five conversation entries of about 200 tokens pass the critical level (810 tokens), so the
  // budget controller replaces the oldest by a summary before `memory add` answers.
  for (int i = 0; i < 5; ++i) {
    std::string text;
    for (int k = 0; k < 20; ++k)
      text += "Message " + std::to_string(i) + " point " + std::to_string(k) +
              " explains the retry policy of the client. ";
    sage.ok({"memory", "add", text, "--session", id, "--type", "conversation"}, small);
  }
  auto shown = sage.ok({"memory", "list", "--session", id, "--limit", "100"}, small);
  auto all =
      sage.ok({"memory", "list", "--session", id, "--limit", "100", "--include-summarized"}, small);
  size_t summaries = 0, summarised = 0;
  for (const auto& e : shown["entries"]) {
    BOOST_TEST(e["is_summarized"] == false);
    summaries += e["type"] == "summary" ? 1 : 0;
  }
  for (const auto& e : all["entries"])
    summarised += e["is_summarized"] == true ? 1 : 0;
  BOOST_TEST(summaries >= 1u);
  BOOST_TEST(summarised >= 1u);
  BOOST_TEST(all["count"].get<size_t>() == shown["count"].get<size_t>() + summarised);
  auto report = sage.ok({"budget", "--session", id}, small);
  BOOST_TEST(report["status"]["used"].get<int>() < 810);
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries WHERE is_summarized = 1;") ==
             std::to_string(summarised));
  sage.check_integrity();
}

BOOST_AUTO_TEST_CASE(export_then_import_into_a_fresh_data_dir_round_trips) {
  memory_sandbox sage;
  auto id = sage.ok({"session", "start", "round trip"})["id"].get<std::string>();
  sage.ok({"memory", "add", "naïve café — 日本語のテキスト", "--tag", "unicode", "--metadata",
           R"({"n": 1, "nested": {"a": [1, 2]}})"});
  sage.ok({"memory", "add", "a decision", "--type", "decision", "--session", id, "--priority",
           "PERMANENT"});
  sage.ok({"memory", "add", "line one\nline two\n", "--session", id, "--task", "T-1"});

  auto file = sage.home / "export.jsonl";
  auto exported = sage.ok({"memory", "export", "-o", file.string()});
  BOOST_TEST(exported["exported"] == 3);
  BOOST_TEST(private_file(file));
  auto text = slurp(file);
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 3);
  auto to_stdout = sage({"memory", "export"});
  BOOST_TEST(to_stdout.code == 0);
  BOOST_TEST(to_stdout.out == text);
  auto as_json = sage.ok({"memory", "export", "--session", id});
  BOOST_TEST(as_json["count"] == 2);
  BOOST_TEST(as_json["entries"][0]["content"] == "a decision");

  memory_sandbox fresh;
  auto imported = fresh.ok({"memory", "import", file.string()});
  BOOST_TEST(imported["imported"] == 3);
  BOOST_TEST(imported["skipped"] == 0);
  auto twice = fresh.ok({"memory", "import", file.string()});
  BOOST_TEST(twice["imported"] == 0);
  BOOST_TEST(twice["skipped"] == 3);
  auto back = fresh({"memory", "export"});
  BOOST_TEST(back.code == 0);
  BOOST_TEST(back.out == text);
  auto people = fresh({"memory", "import", file.string()});
  BOOST_TEST(people.out == "imported 0, skipped 3 already present\n");

  // Standard input works too, into yet another data dir.
  memory_sandbox piped;
  auto r = piped.with_input({"memory", "import", "-", "--json"}, text);
  BOOST_REQUIRE_EQUAL(r.code, 0);
  BOOST_TEST(r.json()["imported"] == 3);
  BOOST_TEST(piped.ok({"memory", "search", "日本語のテキスト"})["count"] == 1);

  for (const auto* db : {&sage, &fresh, &piped}) {
    db->check_integrity();
    BOOST_TEST(db->sql("SELECT count(*) FROM memory_entries;") == "3");
  }
  BOOST_TEST(fresh.sql("SELECT group_concat(id, ',') FROM (SELECT id FROM memory_entries ORDER BY "
                       "id);") ==
             sage.sql("SELECT group_concat(id, ',') FROM (SELECT id FROM memory_entries ORDER BY "
                      "id);"));
}

BOOST_AUTO_TEST_CASE(prune_by_priority_age_session_and_retention) {
  memory_sandbox sage;
  auto id = sage.ok({"session", "start", "prune things"})["id"].get<std::string>();
  for (const char* p : {"EPHEMERAL", "LOW", "NORMAL", "PERMANENT"})
    sage.ok({"memory", "add", std::string("entry of priority ") + p, "--priority", p});
  sage.ok({"memory", "add", "session entry one", "--session", id});
  sage.ok({"memory", "add", "session entry two", "--session", id, "--priority", "PERMANENT"});

  auto low = sage.ok({"memory", "prune", "--max-priority", "LOW"});
  BOOST_TEST(low["count"] == 2);
  BOOST_TEST(sage.ok({"memory", "prune", "--older-than", "1h"})["count"] == 0);
  auto of_session = sage.ok({"memory", "prune", "--session", id});
  BOOST_TEST(of_session["count"] == 1); // the PERMANENT one stays
  auto people = sage({"memory", "prune", "--older-than", "1ms", "--max-priority", "NORMAL"});
  BOOST_TEST(people.code == 0);
  BOOST_TEST(people.out == "pruned 1 entry\n");
  sage.check_integrity();
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;") == "2");
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries WHERE priority = 100;") == "2");

  // The configured retention: at most two conversation entries per session.
  const std::string keep_two = "SAGE_MEMORY__RETENTION__CONVERSATION__MAX_COUNT=2";
  for (int i = 0; i < 4; ++i)
    sage.ok({"memory", "add", "message " + std::to_string(i), "--type", "conversation"});
  auto retained = sage.ok({"memory", "prune", "--retention"}, keep_two);
  BOOST_TEST(retained["count"] == 2);
  auto left = sage.ok({"memory", "list", "--type", "conversation"});
  BOOST_TEST(left["count"] == 2);
  BOOST_TEST(left["entries"][0]["content"] == "message 3");
  BOOST_TEST(sage.ok({"memory", "prune", "--retention"}, keep_two)["count"] == 0);
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;") == "4");
  sage.check_integrity();
}

BOOST_AUTO_TEST_CASE(memory_help_names_every_command) {
  memory_sandbox sage;
  auto help = sage({"memory", "--help"});
  BOOST_TEST(help.code == 0);
  for (const char* cmd :
       {"add", "get", "list", "search", "update", "delete", "prune", "export", "import"})
    BOOST_TEST(contains(help.out, cmd), cmd);
  auto session_help = sage({"session", "--help"});
  for (const char* cmd : {"start", "resume", "update", "checkpoint", "handoff", "end", "status"})
    BOOST_TEST(contains(session_help.out, cmd), cmd);
  BOOST_TEST(contains(sage({"--help"}).out, "budget"));
  // Nothing above opened a database.
  BOOST_TEST(!fs::exists(sage.db()));
}

BOOST_AUTO_TEST_SUITE_END()
