// `sage verify` driven as a process: the database and the index cache on a fresh install, a
// damaged index cache, a stale one, and the exit codes and hints of what it finds.
// SPDX-License-Identifier: MIT
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>

namespace fs = std::filesystem;
using sage::test::contains;
using sage::test::sage_sandbox;
using sage::test::temp_dir;

namespace {

struct verify_fixture {
  sage_sandbox sage;
  temp_dir kb;

  verify_fixture() {
    kb.write("core/principles.md", "# Principles\n\nKeep functions small.\n");
    kb.write("guidelines/testing.md", "# Testing\n\nTest behaviour.\n\n## Mocks\n\nSparingly.\n");
    kb.write("practices/retry.md", "# Retry\n\nWith exponential backoff.\n");
  }

  sage::test::run_result operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--kb", kb.path().string()});
    return sage(args);
  }
  nlohmann::json ok(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--kb", kb.path().string()});
    return sage.ok(args);
  }

  /// The one index cache file of the sandbox.
  fs::path cache_file() const {
    for (const auto& e : fs::directory_iterator(sage.cache_dir))
      if (e.path().extension() == ".idx") return e.path();
    BOOST_FAIL("no index cache file in " << sage.cache_dir);
    return {};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ops_verify_process)

BOOST_FIXTURE_TEST_CASE(a_fresh_install_verifies_and_a_written_cache_matches, verify_fixture) {
  auto fresh = ok({"verify"});
  BOOST_TEST(fresh["ok"] == true);
  BOOST_TEST(fresh["problems"] == 0);
  BOOST_REQUIRE(fresh["checks"].size() == 2u);
  BOOST_TEST(fresh["checks"][0]["name"] == "database");
  BOOST_TEST(fresh["checks"][0]["details"]["exists"] == false);
  BOOST_TEST(fresh["checks"][1]["name"] == "index");
  BOOST_TEST(fresh["checks"][1]["details"]["cache"] == "missing");
  BOOST_TEST(!fs::exists(sage.db())); // verifying never creates the database

  ok({"layers"}); // writes the index cache
  ok({"memory", "add", "something to keep", "--tag", "x"});
  auto all = ok({"verify", "--all"});
  BOOST_TEST(all["ok"] == true);
  BOOST_TEST(all["checks"][0]["details"]["integrity"] == "ok");
  BOOST_TEST(all["checks"][0]["details"]["fts"] == "ok");
  BOOST_TEST(all["checks"][0]["details"]["entries"] == 1);
  BOOST_TEST(all["checks"][1]["details"]["cache"] == "current");
  BOOST_TEST(all["checks"][1]["details"]["documents"] == 3);
  auto text = (*this)({"verify", "--all"});
  BOOST_TEST(text.code == 0);
  BOOST_TEST(contains(text.out, "ok    database"));
  BOOST_TEST(contains(text.out, "index cache matches a fresh build: 3 documents"));
  BOOST_TEST(contains(text.out, "2 of 2 checks passed: no problems found"));

  auto only_index = ok({"verify", "--index"});
  BOOST_TEST(only_index["checks"].size() == 1u);
  BOOST_TEST(only_index["checks"][0]["name"] == "index");
}

BOOST_FIXTURE_TEST_CASE(a_damaged_index_cache_fails_with_a_hint, verify_fixture) {
  ok({"layers"});
  auto file = cache_file();
  sage::test::flip_byte(file);
  auto r = (*this)({"verify", "--index"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(contains(r.out, "FAIL"));
  BOOST_TEST(contains(r.out, "is damaged"));
  BOOST_TEST(contains(r.out, "hint: delete " + file.string()));
  BOOST_TEST(contains(r.out, "0 of 1 checks passed"));
  auto j = (*this)({"verify", "--index", "--json"});
  BOOST_TEST(j.code == 1);
  BOOST_TEST(j.json()["ok"] == false);
  BOOST_TEST(j.json()["problems"] == 1);
  // Following the hint repairs it.
  fs::remove(file);
  ok({"layers"});
  BOOST_TEST(ok({"verify", "--index"})["ok"] == true);
}

BOOST_FIXTURE_TEST_CASE(a_stale_index_cache_is_a_note_not_a_problem, verify_fixture) {
  ok({"layers"});
  kb.write("practices/retry.md", "# Retry\n\nWith exponential backoff and jitter.\n");
  kb.write("practices/new.md", "# New\n\nA new page.\n");
  auto j = ok({"verify", "--index"});
  BOOST_TEST(j["ok"] == true);
  BOOST_TEST(j["checks"][0]["details"]["cache"] == "stale");
  BOOST_TEST(j["checks"][0]["details"]["unchanged_documents"] == 2);
  BOOST_TEST(contains(j["checks"][0]["notes"][0].get<std::string>(),
                      "2 files added or changed and 0 removed"));
}

BOOST_FIXTURE_TEST_CASE(a_damaged_database_lists_the_problem_and_exits_1, verify_fixture) {
  fs::create_directories(sage.data_dir);
  sage.home.write("garbage", std::string(64 * 1024, 'x'));
  fs::copy_file(sage.home.path() / "garbage", sage.db());
  auto r = (*this)({"verify", "--database", "--json"});
  BOOST_TEST(r.code == 1);
  auto j = r.json();
  BOOST_TEST(j["ok"] == false);
  BOOST_TEST(j["checks"][0]["ok"] == false);
  BOOST_TEST(
      contains(j["checks"][0]["problems"][0]["message"].get<std::string>(), "not a database"));
  BOOST_TEST(!j["checks"][0]["problems"][0]["hint"].get<std::string>().empty());
}

BOOST_AUTO_TEST_SUITE_END()
