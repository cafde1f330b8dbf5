// Tests of the on-disk index cache: reuse, invalidation per file, corrupt and foreign files.
// SPDX-License-Identifier: MIT
#include "core/index_cache.hpp"
#include "core/kb_loader.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <thread>

using namespace sage::core;
using sage::test::temp_dir;

namespace {

struct cache_fixture {
  temp_dir kb_dir, cache_dir;
  config cfg = default_config();

  cache_fixture() {
    kb_dir.write("core/A.md", "# Alpha\n\nfirst apple\n");
    kb_dir.write("guidelines/B.md", "# Beta\n\nsecond banana\n");
    kb_dir.write("guidelines/C.md", "# Gamma\n\nthird cherry\n");
  }
  std::shared_ptr<const knowledge_base> load() {
    auto r = load_knowledge_base(cfg, {kb_dir.path(), cache_dir.path(), 1, 1, nullptr});
    BOOST_REQUIRE(r.has_value());
    return *r;
  }
  std::filesystem::path cache_file() const {
    return cache_file_for(cache_dir.path(), std::filesystem::canonical(kb_dir.path()));
  }
};

size_t hits_for(const knowledge_base& kb, const std::string& q) {
  analyzer an;
  return kb.index.search(q, search_options{}, kb.documents, an).size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(index_cache)

BOOST_AUTO_TEST_CASE(unchanged_knowledge_base_is_served_from_the_cache) {
  cache_fixture f;
  auto cold = f.load();
  BOOST_TEST(cold->stats.files_parsed == 3u);
  BOOST_TEST(cold->stats.cache_written);
  auto warm = f.load();
  BOOST_TEST(warm->stats.files_parsed == 0u);
  BOOST_TEST(warm->stats.files_from_cache == 3u);
  BOOST_TEST(!warm->stats.cache_written);
  BOOST_TEST(hits_for(*warm, "banana") == 1u);
  BOOST_TEST(warm->documents[1].sections[0].text == cold->documents[1].sections[0].text);
}

BOOST_AUTO_TEST_CASE(unchanged_files_reuse_the_saved_index_and_new_search_settings_rebuild_it) {
  cache_fixture f;
  f.load();
  auto warm = f.load();
  BOOST_TEST(warm->analyses.empty()); // the index came whole from the cache
  BOOST_TEST(hits_for(*warm, "cherry") == 1u);
  f.cfg.search.k1 = 2.0;
  auto retuned = f.load();
  BOOST_TEST(retuned->stats.files_parsed == 0u); // documents still from the cache
  BOOST_TEST(retuned->analyses.size() == 3u);    // but the index was rebuilt
  BOOST_TEST(retuned->index.config().k1 == 2.0);
  BOOST_TEST(hits_for(*retuned, "cherry") == 1u);
  BOOST_TEST(f.load()->analyses.empty()); // and saved again for the new settings
}

BOOST_AUTO_TEST_CASE(changed_added_and_removed_files_invalidate_only_their_part) {
  cache_fixture f;
  f.load();
  // Same size, different content: the modification time still tells.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  f.kb_dir.write("guidelines/B.md", "# Beta\n\nsecond durian\n");
  f.kb_dir.write("guidelines/D.md", "# Delta\n\nfourth elderberry\n");
  std::filesystem::remove(f.kb_dir / "guidelines/C.md");
  auto kb = f.load();
  BOOST_TEST(kb->stats.files_parsed == 2u);
  BOOST_TEST(kb->stats.files_from_cache == 1u);
  BOOST_TEST(kb->documents.size() == 3u);
  BOOST_TEST(hits_for(*kb, "banana") == 0u);
  BOOST_TEST(hits_for(*kb, "durian") == 1u);
  BOOST_TEST(hits_for(*kb, "elderberry") == 1u);
  BOOST_TEST(hits_for(*kb, "cherry") == 0u);
  BOOST_TEST(f.load()->stats.files_parsed == 0u);
}

BOOST_AUTO_TEST_CASE(corrupt_truncated_or_foreign_cache_files_are_rebuilt) {
  cache_fixture f;
  f.load();
  auto file = f.cache_file();
  BOOST_REQUIRE(std::filesystem::exists(file));
  std::string data;
  {
    std::ifstream in(file, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto rewrite = [&](const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  };
  // A flipped byte among the documents (right after the 68-byte header): all is rebuilt.
  auto flipped = data;
  flipped[80] ^= 0x5a;
  rewrite(flipped);
  auto a = f.load();
  BOOST_TEST(a->stats.files_parsed == 3u);
  BOOST_TEST(hits_for(*a, "apple") == 1u);
  // A flipped byte in the saved index (the last block): documents are reused, the index is
  // rebuilt from the analyses.
  flipped = data;
  flipped[flipped.size() - 2] ^= 0x5a;
  rewrite(flipped);
  auto b = f.load();
  BOOST_TEST(b->stats.files_parsed == 0u);
  BOOST_TEST(b->analyses.size() == 3u);
  BOOST_TEST(hits_for(*b, "apple") == 1u);
  // Every single flipped byte anywhere: the answer stays right.
  for (size_t i = 0; i < data.size(); i += 7) {
    flipped = data;
    flipped[i] ^= 0xff;
    rewrite(flipped);
    auto kb = f.load();
    BOOST_TEST(hits_for(*kb, "banana") == 1u, "byte " << i);
    BOOST_TEST(kb->documents.size() == 3u, "byte " << i);
  }
  // Truncated.
  rewrite(data.substr(0, data.size() / 3));
  BOOST_TEST(f.load()->stats.files_parsed == 3u);
  // Foreign: not ours at all.
  rewrite("this is not a cache file at all");
  BOOST_TEST(f.load()->stats.files_parsed == 3u);
  // Another configuration (heading depth changes the parse).
  f.cfg.loading.max_heading_level = 2;
  BOOST_TEST(f.load()->stats.files_parsed == 3u);
}

BOOST_AUTO_TEST_CASE(unwritable_cache_folder_is_not_an_error) {
  cache_fixture f;
  auto r = load_knowledge_base(f.cfg, {f.kb_dir.path(), "/proc/sage-no-such-dir", 1, 1, nullptr});
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!(*r)->stats.cache_written);
}

BOOST_AUTO_TEST_SUITE_END()
