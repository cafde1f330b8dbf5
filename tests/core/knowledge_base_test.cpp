// Tests of the knowledge-base snapshot: loading, lookups, name resolution, traversal refusal.
// SPDX-License-Identifier: MIT
#include "core/kb_loader.hpp"
#include "core/kb_paths.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;
using sage::test::temp_dir;

namespace {

/// A small KB with every layer kind and some awkward names.
struct small_kb {
  temp_dir dir;
  config cfg = default_config();
  std::shared_ptr<const knowledge_base> kb;

  small_kb() {
    dir.write("INDEX.md", "# Index\n\nWelcome.\n");
    dir.write("core/PRINCIPLES.md", "# Principles\n\n## Be clear\n\nSay what you mean.\n");
    dir.write("guidelines/CODE_STYLE.md", "# Code Style\n\n## Naming\n\nNames explain.\n");
    dir.write("guidelines/PYTHON.md", "# Python\n\nPEP 8.\n");
    dir.write("guidelines/PLANNING.md", "# Planning\n\nPlan.\n");
    dir.write("guidelines/PERFORMANCE.md", "# Performance\n\nMeasure.\n");
    dir.write("guidelines/QUICK_START.md", "# Quick Start\n\nStart here.\n");
    dir.write("frameworks/resilience/TIMEOUT_PATTERNS.md", "# Timeouts\n\nDeadlines.\n");
    dir.write("templates/ADR.md", "---\ntitle: ADR\nstatus: approved\n---\n# ADR\n\nContext.\n");
    dir.write("templates/OLD.md", "---\nstatus: archived\n---\n# Old\n\nGone.\n");
    dir.write("notes/misc.md", "# Misc\n\nOther things.\n");
    dir.write("core/notes.txt", "not markdown");
    cfg.guideline_aliases = {{"overview", "QUICK_START"}, {"py", "PYTHON"}};
    auto loaded = load_knowledge_base(cfg, {dir.path(), {}, 1, 2, nullptr});
    BOOST_REQUIRE(loaded.has_value());
    kb = *loaded;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(knowledge_base_tests)

BOOST_AUTO_TEST_CASE(loads_markdown_files_into_layers) {
  small_kb k;
  BOOST_TEST(k.kb->documents.size() == 11u);
  BOOST_TEST(k.kb->find("INDEX.md")->layer == "index");
  BOOST_TEST(k.kb->find("notes/misc.md")->layer == "other");
  BOOST_TEST(k.kb->layer_documents("guidelines").size() == 5u);
}

BOOST_AUTO_TEST_CASE(hidden_folders_are_skipped_and_hidden_files_served) {
  small_kb k;
  k.dir.write(".git/HEAD.md", "# not knowledge\n");
  k.dir.write("other/..md", "# .\n\nThe page of the `.` command.\n");
  auto kb = load_knowledge_base(k.cfg, {k.dir.path(), {}, 2, 1, nullptr});
  BOOST_REQUIRE(kb.has_value());
  BOOST_TEST((*kb)->find(".git/HEAD.md") == nullptr);
  BOOST_TEST((*kb)->find("other/..md") != nullptr);
  BOOST_TEST((*kb)->resolve("other/..md").has_value());
}

BOOST_AUTO_TEST_CASE(lookups_are_case_insensitive_and_md_is_optional) {
  small_kb k;
  BOOST_TEST(k.kb->find("guidelines/code_style") == k.kb->find("guidelines/CODE_STYLE.md"));
  BOOST_TEST(k.kb->find("GUIDELINES/Code_Style.MD") != nullptr);
  BOOST_TEST(k.kb->find("guidelines/nothing") == nullptr);
  auto uri = k.kb->resolve("knowledge://guidelines/code_style");
  BOOST_REQUIRE(uri.has_value());
  BOOST_TEST((*uri)->path == "guidelines/CODE_STYLE.md");
  BOOST_TEST(k.kb->uri_of(**uri) == "knowledge://guidelines/CODE_STYLE.md");
}

BOOST_AUTO_TEST_CASE(paths_leaving_the_root_are_refused) {
  small_kb k;
  for (const char* bad : {"../../etc/passwd", "/etc/passwd", "guidelines/../../x", "..",
                          "knowledge://guidelines/../../etc/passwd", "a\\..\\b"}) {
    auto r = k.kb->resolve(bad);
    BOOST_REQUIRE_MESSAGE(!r.has_value(), bad);
    BOOST_TEST(r.err().code == error_code::forbidden, bad);
  }
  BOOST_TEST(k.kb->resolve("x\xff").err().code == error_code::invalid_argument);
  BOOST_TEST(check_relative_path("./guidelines//a.md").value() == "guidelines/a.md");
}

BOOST_AUTO_TEST_CASE(symlinks_leaving_the_root_are_not_served) {
  temp_dir outside;
  outside.write("secret.md", "# Secret\n\npassword\n");
  small_kb k;
  std::filesystem::create_symlink(outside / "secret.md", k.dir / "guidelines/SECRET.md");
  std::filesystem::create_directory_symlink(outside.path(), k.dir / "guidelines/linked");
  auto kb = load_knowledge_base(k.cfg, {k.dir.path(), {}, 2, 1, nullptr});
  BOOST_REQUIRE(kb.has_value());
  BOOST_TEST((*kb)->find("guidelines/SECRET.md") == nullptr);
  BOOST_TEST((*kb)->find("guidelines/linked/secret.md") == nullptr);
  BOOST_TEST((*kb)->problems.size() >= 1u);
  BOOST_TEST(resolve_inside(k.dir.path(), "guidelines/SECRET.md").err().code ==
             error_code::forbidden);
}

BOOST_AUTO_TEST_CASE(named_documents_resolve_through_aliases_then_prefixes) {
  small_kb k;
  auto& aliases = k.cfg.guideline_aliases;
  BOOST_TEST((*k.kb->resolve_named(named_kind::guideline, "py", aliases))->path ==
             "guidelines/PYTHON.md");
  BOOST_TEST((*k.kb->resolve_named(named_kind::guideline, "overview", aliases))->path ==
             "guidelines/QUICK_START.md");
  BOOST_TEST((*k.kb->resolve_named(named_kind::guideline, "code", aliases))->path ==
             "guidelines/CODE_STYLE.md");
  BOOST_TEST((*k.kb->resolve_named(named_kind::framework, "timeout", {}))->path ==
             "frameworks/resilience/TIMEOUT_PATTERNS.md");
  BOOST_TEST(
      (*k.kb->resolve_named(named_kind::framework, "resilience/timeout_patterns", {}))->path ==
      "frameworks/resilience/TIMEOUT_PATTERNS.md");
}

BOOST_AUTO_TEST_CASE(ambiguous_and_unknown_names_list_candidates) {
  small_kb k;
  auto amb = k.kb->resolve_named(named_kind::guideline, "p", k.cfg.guideline_aliases);
  BOOST_REQUIRE(!amb.has_value());
  BOOST_TEST(amb.err().code == error_code::ambiguous);
  BOOST_TEST(amb.err().hint.find("performance") != std::string::npos);
  BOOST_TEST(amb.err().hint.find("planning") != std::string::npos);
  BOOST_TEST(amb.err().hint.find("python") != std::string::npos);
  auto unknown = k.kb->resolve_named(named_kind::template_, "zzz", {});
  BOOST_REQUIRE(!unknown.has_value());
  BOOST_TEST(unknown.err().code == error_code::not_found);
  BOOST_TEST(unknown.err().message == "unknown templates name: zzz");
  BOOST_TEST(unknown.err().hint.find("adr") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_root_is_a_not_found_error) {
  config cfg = default_config();
  auto r = load_knowledge_base(cfg, {"/nonexistent/sage-kb", {}, 1, 1, nullptr});
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().code == error_code::not_found);
}

BOOST_AUTO_TEST_SUITE_END()
