// The pieces behind the operations commands, in process: SHA-256 digests, the backup manifest's
// refusals, database checks, the index check against a cache that disagrees with the files,
// and the health checks over a real engine, including a failed rebuild seen by loader_watch.
// SPDX-License-Identifier: MIT
#include "services/ops/backup_manifest.hpp"
#include "services/ops/db_check.hpp"
#include "services/ops/health.hpp"
#include "services/ops/health_cache.hpp"
#include "services/ops/index_check.hpp"
#include "services/ops/sha256.hpp"

#include "core/analyzed_document.hpp"
#include "core/index_cache.hpp"
#include "core/kb_loader.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

namespace fs = std::filesystem;
namespace ops = sage::services::ops;
using namespace std::chrono_literals;
using sage::test::temp_dir;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Polls `ready` until it holds or `limit` passes.
template <class F> bool within(std::chrono::milliseconds limit, F ready) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

nlohmann::json good_manifest() {
  ops::backup_manifest m;
  m.created_at = "2024-05-01T12:00:00.000Z";
  m.sage_version = "0.1.0";
  m.schema_version = 4;
  m.files = {{"memory.db", 4096, ops::sha256_hex("db")}, {"sage.yaml", 10, ops::sha256_hex("y")}};
  m.kb_root = "/kb";
  m.knowledge = {{"core/a.md", 3, ops::sha256_hex("abc")}};
  return ops::to_json(m);
}

/// A configuration over a small knowledge base in `kb`, with the cache in `cache`.
sage::core::config small_kb(const temp_dir& kb, const temp_dir& cache) {
  kb.write("core/principles.md", "# Principles\n\nKeep functions small.\n");
  kb.write("guidelines/testing.md", "# Testing\n\nTest behaviour.\n");
  auto cfg = sage::core::default_config();
  cfg.kb_path = kb.path().string();
  cfg.cache_dir = cache.path().string();
  cfg.data_dir = (cache.path() / "data").string();
  return cfg;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ops_units)

BOOST_AUTO_TEST_CASE(sha256_matches_the_published_test_vectors) {
  BOOST_TEST(ops::sha256_hex("") ==
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(ops::sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  temp_dir dir;
  std::string big(300000, 'q'); // several read blocks
  auto file = dir.write("big", big);
  auto d = ops::digest_file(file);
  BOOST_REQUIRE(d);
  BOOST_TEST(d->size == big.size());
  BOOST_TEST(d->sha256 == ops::sha256_hex(big));
  auto missing = ops::digest_file(dir / "nope");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(has(missing.err().message, (dir / "nope").string()));
  BOOST_TEST(ops::is_sha256_hex(d->sha256));
  BOOST_TEST(!ops::is_sha256_hex("ABC"));
}

BOOST_AUTO_TEST_CASE(manifests_round_trip_and_refuse_what_sage_did_not_write) {
  auto back = ops::manifest_from_json(good_manifest());
  BOOST_REQUIRE(back);
  BOOST_TEST(back->files.size() == 2u);
  BOOST_TEST(back->knowledge[0].path == "core/a.md");
  BOOST_TEST(back->has_database());

  auto refused = [](const std::function<void(nlohmann::json&)>& change) {
    auto j = good_manifest();
    change(j);
    auto m = ops::manifest_from_json(j);
    return m ? std::string() : m.err().message;
  };
  BOOST_TEST(
      has(refused([](auto& j) { j["files"][0]["path"] = "../memory.db"; }), "leaves its folder"));
  BOOST_TEST(has(refused([](auto& j) { j["knowledge"]["files"][0]["path"] = "/etc/passwd"; }),
                 "leaves its folder"));
  BOOST_TEST(has(refused([](auto& j) { j["files"][1]["path"] = "other.txt"; }), "unknown file"));
  BOOST_TEST(has(refused([](auto& j) { j["files"][0]["sha256"] = "00"; }), "malformed"));
  BOOST_TEST(has(refused([](auto& j) { j["files"][1] = j["files"][0]; }), "listed twice"));
  BOOST_TEST(has(refused([](auto& j) { j["files"][0]["size"] = -1; }), "lacks path, size"));
  BOOST_TEST(has(refused([](auto& j) { j["format"] = "tarball"; }), "not a sage backup"));
  BOOST_TEST(has(refused([](auto& j) { j["format_version"] = 2; }), "newer than this build"));
  BOOST_TEST(has(refused([](auto& j) { j["schema_version"] = 0; }), "disagree"));
}

BOOST_AUTO_TEST_CASE(database_checks_never_create_the_file_and_name_what_is_wrong) {
  temp_dir dir;
  auto missing = ops::check_database(dir / "memory.db", ops::db_depth::full);
  BOOST_TEST(missing.ok());
  BOOST_TEST(missing.details["exists"] == false);
  BOOST_TEST(!fs::exists(dir / "memory.db"));

  auto text = dir.write("memory.db", std::string(8192, 'x'));
  auto garbage = ops::check_database(text, ops::db_depth::quick);
  BOOST_REQUIRE(!garbage.ok());
  BOOST_TEST(has(garbage.problems[0].message, "not a database"));
  BOOST_TEST(has(garbage.problems[0].hint, "sage restore"));
}

BOOST_AUTO_TEST_CASE(an_index_cache_that_disagrees_with_the_files_is_a_problem) {
  temp_dir kb, cache;
  auto cfg = small_kb(kb, cache);
  sage::core::kb_load_options opts;
  opts.root = kb.path();
  opts.cache_dir = cfg.cache_dir;
  BOOST_REQUIRE(sage::core::load_knowledge_base(cfg, opts)); // writes the cache
  auto report = ops::check_index(cfg);
  BOOST_TEST(report.ok());
  BOOST_TEST(report.details["cache"] == "current");

  // A cache that claims the unchanged files but holds other content for one of them (what a
  // bug or a tampered cache with recomputed block checksums would look like).
  opts.cache_dir.clear();
  auto fresh = sage::core::load_knowledge_base(cfg, opts);
  BOOST_REQUIRE(fresh);
  const auto& kbase = **fresh;
  auto write = [&](const std::vector<sage::core::document>& docs,
                   const sage::core::search_index& index) {
    std::vector<sage::core::cache_entry> entries;
    sage::core::analyzer az;
    for (size_t i = 0; i < docs.size(); ++i)
      entries.push_back({kbase.files[i], docs[i], "", sage::core::analyze(docs[i], az)});
    std::vector<const sage::core::cache_entry*> ptrs;
    for (const auto& e : entries)
      ptrs.push_back(&e);
    std::string why;
    BOOST_REQUIRE(
        sage::core::write_index_cache(sage::core::cache_file_for(cfg.cache_dir, kbase.root),
                                      sage::core::parse_fingerprint(cfg), ptrs, index, why));
  };
  auto altered = kbase.documents;
  altered[1].title = "Something else";
  sage::core::analyzer az;
  std::vector<sage::core::analyzed_document> analyses;
  for (const auto& d : altered)
    analyses.push_back(sage::core::analyze(d, az));
  auto other_index = sage::core::search_index::build(altered, analyses, cfg.search);

  write(altered, kbase.index);
  auto docs_differ = ops::check_index(cfg);
  BOOST_REQUIRE(!docs_differ.ok());
  BOOST_TEST(has(docs_differ.problems[0].message, "another version of guidelines/testing.md"));
  BOOST_TEST(has(docs_differ.problems[0].hint, "delete"));

  write(kbase.documents, other_index);
  auto index_differs = ops::check_index(cfg);
  BOOST_REQUIRE(!index_differs.ok());
  BOOST_TEST(has(index_differs.problems[0].message, "search index that differs"));

  write(kbase.documents, kbase.index);
  BOOST_TEST(ops::check_index(cfg).ok());
}

BOOST_AUTO_TEST_CASE(health_of_a_running_engine_follows_its_knowledge_base) {
  temp_dir kb, cache;
  auto cfg = small_kb(kb, cache);
  cfg.kb_watch_debounce = 50ms;
  cfg.engine.shutdown_grace = 1s;
  auto tokens = sage::core::token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(tokens);
  sage::core::kb_load_options opts;
  opts.root = kb.path();
  auto loaded = sage::core::load_knowledge_base(cfg, opts);
  BOOST_REQUIRE(loaded);
  sage::actors::engine_options eo;
  eo.workers = 1;
  eo.watch = true;
  auto engine = sage::actors::engine::start(cfg, std::move(*tokens), std::move(*loaded), eo);
  BOOST_REQUIRE(engine->await_ready());
  ops::loader_watch watch(*engine);
  BOOST_REQUIRE(watch.ok());
  ops::health_target target{cfg, engine.get(), "", &watch};

  auto healthy = ops::check_health(target);
  BOOST_TEST(ops::to_string(healthy.status) == std::string("healthy"));
  BOOST_TEST(healthy.knowledge.details["documents"] == 2);
  BOOST_TEST(healthy.core.details["generation"] == 1);
  auto j = ops::to_json(healthy);
  BOOST_TEST(j["components"]["memory"] == "healthy");
  BOOST_TEST(j["checks"]["memory"]["exists"] == false);
  auto summary = ops::to_json(healthy, ops::health_detail::summary);
  BOOST_TEST(!summary.contains("checks")); // no paths for callers who may not see them
  BOOST_TEST(summary["components"] == j["components"]);
  BOOST_TEST(summary["status"] == "healthy");

  // Probes within the interval share one check; after it, a new one runs.
  ops::health_cache shared(std::chrono::hours(1));
  auto first = shared.get(target);
  std::this_thread::sleep_for(5ms);
  BOOST_TEST(shared.get(target).checked_at == first.checked_at);
  ops::health_cache every_time(0ms);
  auto one = every_time.get(target);
  std::this_thread::sleep_for(5ms);
  BOOST_TEST(every_time.get(target).checked_at != one.checked_at);

  // The root goes away: the loader's rebuild fails, the last snapshot is still served.
  fs::remove_all(kb.path());
  BOOST_REQUIRE(within(10s, [&] { return watch.last_failure().has_value(); }));
  auto degraded = ops::check_health(target);
  BOOST_TEST(ops::to_string(degraded.status) == std::string("degraded"));
  BOOST_TEST(ops::to_string(degraded.knowledge.status) == std::string("degraded"));
  BOOST_TEST(has(degraded.knowledge.message, "still serving generation 1"));
  BOOST_TEST(ops::to_string(degraded.core.status) == std::string("healthy"));

  kb.write("core/principles.md", "# Principles\n\nBack again.\n");
  BOOST_REQUIRE(within(10s, [&] { return !watch.last_failure().has_value(); }));
  BOOST_REQUIRE(
      within(10s, [&] { return ops::check_health(target).status == ops::health_status::healthy; }));

  // Without an engine: core and knowledge are unhealthy, and say why.
  ops::health_target none{cfg, nullptr, "knowledge base root not found"};
  auto down = ops::check_health(none);
  BOOST_TEST(ops::to_string(down.status) == std::string("unhealthy"));
  BOOST_TEST(has(down.core.message, "knowledge base root not found"));
  BOOST_TEST(ops::to_string(down.memory.status) == std::string("healthy"));
  engine->stop();
}

BOOST_AUTO_TEST_SUITE_END()
