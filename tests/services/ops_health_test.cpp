// `sage health` driven as a process: the JSON shape of GET /health, exit 0 when healthy or
// degraded and 4 when unhealthy (a damaged database, no knowledge base).
// SPDX-License-Identifier: MIT
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>

namespace fs = std::filesystem;
using sage::test::contains;
using sage::test::sage_sandbox;
using sage::test::temp_dir;

namespace {

/// A knowledge base of three documents.
void write_kb(const temp_dir& kb) {
  kb.write("core/principles.md", "# Principles\n\nKeep functions small and names clear.\n");
  kb.write("guidelines/testing.md", "# Testing\n\nTest behaviour, not implementation.\n");
  kb.write("practices/retry.md", "# Retry\n\nRetry with exponential backoff.\n");
}

/// `memory_writer` adds `n` entries straight into the sandbox's database.
void add_entries(const sage_sandbox& sage, int n) {
  fs::create_directories(sage.data_dir);
  auto r = sage::test::shell(sage::test::shell_quote(SAGE_MEMORY_WRITER) + " " +
                                 sage::test::shell_quote(sage.db().string()) + " --count " +
                                 std::to_string(n) + " >/dev/null",
                             sage.home.path());
  BOOST_REQUIRE_MESSAGE(r.code == 0, "memory_writer failed: " << r.out);
  // It closed cleanly, so its WAL is folded into the file: damage to the file is damage.
  BOOST_REQUIRE(!fs::exists(sage.data_dir / "memory.db-wal"));
}

} // namespace

BOOST_AUTO_TEST_SUITE(ops_health_process)

BOOST_AUTO_TEST_CASE(health_is_healthy_with_the_json_shape_of_get_health) {
  sage_sandbox sage;
  temp_dir kb;
  write_kb(kb);
  auto kb_arg = kb.path().string();
  auto j = sage.ok({"--kb", kb_arg, "health"});
  BOOST_TEST(j["status"] == "healthy");
  BOOST_TEST(j["version"] == SAGE_VERSION);
  BOOST_TEST(j["checked_at"].is_string());
  BOOST_TEST(j["duration_ms"].is_number());
  for (const char* c : {"core", "cache", "knowledge", "memory"}) {
    BOOST_TEST(j["components"][c] == "healthy", c);
    BOOST_TEST(j["checks"][c]["status"] == "healthy", c);
    BOOST_TEST(!j["checks"][c]["message"].get<std::string>().empty(), c);
    BOOST_TEST(j["checks"][c]["duration_ms"].is_number(), c);
  }
  BOOST_TEST(j["components"].size() == 4u);
  BOOST_TEST(j["checks"]["knowledge"]["documents"] == 3);
  BOOST_TEST(j["checks"]["knowledge"]["generation"] == 1);
  BOOST_TEST(j["checks"]["core"]["generation"] == 1);
  BOOST_TEST(j["checks"]["core"]["actors"].size() >= 4u);
  BOOST_TEST(j["checks"]["cache"]["enabled"] == true);
  // Health never creates the memory database: it is made on first use.
  BOOST_TEST(j["checks"]["memory"]["exists"] == false);
  BOOST_TEST(contains(j["checks"]["memory"]["message"].get<std::string>(), "not created yet"));
  BOOST_TEST(!fs::exists(sage.db()));

  sage.ok({"memory", "add", "remember this"});
  auto after = sage.ok({"--kb", kb_arg, "health"});
  BOOST_TEST(after["components"]["memory"] == "healthy");
  BOOST_TEST(after["checks"]["memory"]["entries"] == 1);
  BOOST_TEST(after["checks"]["memory"]["integrity"] == "ok");
  BOOST_TEST(after["checks"]["memory"]["schema_version"] ==
             after["checks"]["memory"]["latest_schema_version"]);

  auto text = sage({"--kb", kb_arg, "health"});
  BOOST_TEST(text.code == 0);
  BOOST_TEST(contains(text.out, "component"));
  BOOST_TEST(contains(text.out, "knowledge"));
  BOOST_TEST(contains(text.out, "3 documents, generation 1"));
  BOOST_TEST(contains(text.out, std::string("sage ") + SAGE_VERSION + ": healthy"));
}

BOOST_AUTO_TEST_CASE(health_exits_4_when_the_memory_database_is_damaged) {
  sage_sandbox sage;
  temp_dir kb;
  write_kb(kb);
  add_entries(sage, 400);
  BOOST_REQUIRE(sage.ok({"--kb", kb.path().string(), "health"})["status"] == "healthy");
  sage::test::damage_middle(sage.db());
  auto r = sage({"--kb", kb.path().string(), "health", "--json"});
  BOOST_TEST(r.code == 4);
  auto j = r.json();
  BOOST_TEST(j["status"] == "unhealthy");
  BOOST_TEST(j["components"]["memory"] == "unhealthy");
  BOOST_TEST(j["components"]["core"] == "healthy");
  BOOST_TEST(j["components"]["knowledge"] == "healthy");
  BOOST_TEST(contains(j["checks"]["memory"]["message"].get<std::string>(), "integrity check"));
  BOOST_TEST(contains(j["checks"]["memory"]["hint"].get<std::string>(), "sage restore"));
  auto text = sage({"--kb", kb.path().string(), "health"});
  BOOST_TEST(text.code == 4);
  BOOST_TEST(contains(text.out, "unhealthy"));
}

BOOST_AUTO_TEST_CASE(health_without_a_knowledge_base_is_unhealthy_but_checks_the_rest) {
  sage_sandbox sage;
  auto r = sage({"--kb", (sage.home.path() / "no-such-kb").string(), "health", "--json"});
  BOOST_TEST(r.code == 4);
  auto j = r.json();
  BOOST_TEST(j["status"] == "unhealthy");
  BOOST_TEST(j["components"]["core"] == "unhealthy");
  BOOST_TEST(j["components"]["knowledge"] == "unhealthy");
  BOOST_TEST(contains(j["checks"]["core"]["message"].get<std::string>(), "engine not started"));
  BOOST_TEST(j["components"]["memory"] == "healthy");
  BOOST_TEST(j["components"]["cache"] == "healthy");

  temp_dir empty;
  auto none = sage({"--kb", empty.path().string(), "health", "--json"});
  BOOST_TEST(none.code == 4);
  BOOST_TEST(none.json()["components"]["knowledge"] == "unhealthy");
  BOOST_TEST(
      contains(none.json()["checks"]["knowledge"]["message"].get<std::string>(), "no documents"));
}

BOOST_AUTO_TEST_CASE(an_unusable_cache_folder_is_degraded_and_exits_0) {
  sage_sandbox sage;
  temp_dir kb;
  write_kb(kb);
  sage.cache_dir = sage.home.write("not-a-folder", "a file where the cache folder should be");
  auto r = sage({"--kb", kb.path().string(), "health", "--json"});
  BOOST_TEST(r.code == 0);
  auto j = r.json();
  BOOST_TEST(j["status"] == "degraded");
  BOOST_TEST(j["components"]["cache"] == "degraded");
  BOOST_TEST(contains(j["checks"]["cache"]["message"].get<std::string>(), "cannot be created"));
  BOOST_TEST(j["components"]["knowledge"] == "healthy");
}

BOOST_AUTO_TEST_CASE(health_is_unhealthy_when_the_memory_database_takes_no_writes) {
  // A database on a read-only mount reads well, so the integrity check passed and /health said
  // healthy while every write failed. The data folder is made read-only in a mount namespace
  // of its own (permissions do not stop root, who runs the tests).
  sage_sandbox sage;
  temp_dir kb;
  write_kb(kb);
  add_entries(sage, 10);
  auto q = [](const std::string& s) { return sage::test::shell_quote(s); };
  const auto data = sage.data_dir.string();
  const std::string inner =
      "mount --bind " + q(data) + " " + q(data) + " && mount -o remount,ro,bind " + q(data) + " " +
      q(data) + " && exec " + q(SAGE_BINARY) + " --kb " + q(kb.path().string()) + " health --json";
  auto r =
      sage::test::shell("(env HOME=" + q(sage.home.path().string()) + " SAGE_DATA_DIR=" + q(data) +
                            " SAGE_CACHE_DIR=" + q(sage.cache_dir.string()) + " unshare -m sh -c " +
                            q(inner) + " 2>/dev/null)",
                        sage.home.path());
  BOOST_TEST(r.code == 4, r.out);
  auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["components"]["memory"] == "unhealthy", r.out);
  BOOST_TEST(contains(j["checks"]["memory"]["message"].get<std::string>(), "does not take writes"),
             r.out);
  BOOST_TEST(j["checks"]["memory"]["writable"] == false, r.out);
  // Outside that namespace the same database is writable and healthy.
  auto ok = sage.ok({"--kb", kb.path().string(), "health"});
  BOOST_TEST(ok["status"] == "healthy", ok.dump());
  BOOST_TEST(ok["checks"]["memory"]["writable"] == true, ok.dump());
}

BOOST_AUTO_TEST_SUITE_END()
