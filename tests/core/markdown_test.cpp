// Tests of Markdown parsing: sections, slugs, boundaries, front matter and titles.
// SPDX-License-Identifier: MIT
#include "core/document_parser.hpp"
#include "core/front_matter.hpp"
#include "core/markdown.hpp"
#include "core/slug.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;

namespace {

std::vector<layer_config> test_layers() {
  return {{"index", "INDEX.md", 0, true},
          {"core", "core", 1, true},
          {"guidelines", "guidelines", 2, false}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(markdown)

BOOST_AUTO_TEST_CASE(slugs_follow_github_rules) {
  BOOST_TEST(github_slug("Hello World") == "hello-world");
  BOOST_TEST(github_slug("C++ & Rust: a comparison!") == "c--rust-a-comparison");
  BOOST_TEST(github_slug("snake_case and kebab-case") == "snake_case-and-kebab-case");
  BOOST_TEST(github_slug("Übersicht Größe") == "übersicht-größe");
  BOOST_TEST(github_slug("T1–T5 timeouts") == "t1t5-timeouts");
  slug_registry r;
  BOOST_TEST(r.unique("Usage") == "usage");
  BOOST_TEST(r.unique("Usage") == "usage-1");
  BOOST_TEST(r.unique("Usage") == "usage-2");
}

BOOST_AUTO_TEST_CASE(sections_split_at_h1_to_h3_with_heading_paths_and_lines) {
  std::string md =
      "intro line\n\n# Title\n\ntext\n\n## Part A\n\na\n\n### Detail\n\nd\n\n#### Deep\n\n"
      "deep stays in Detail\n\n## Part B\nb\n";
  auto p = parse_markdown("guidelines/X.md", md, 1, 3);
  BOOST_REQUIRE_EQUAL(p.sections.size(), 5u);
  BOOST_TEST(p.sections[0].level == 0);
  BOOST_TEST(p.sections[0].id == "guidelines/X.md");
  BOOST_TEST(p.sections[1].id == "guidelines/X.md#title");
  BOOST_TEST(p.sections[1].line_begin == 3u);
  BOOST_TEST(p.sections[1].line_end == 6u);
  BOOST_TEST(p.sections[3].heading == "Detail");
  BOOST_TEST(p.sections[3].heading_path == (std::vector<std::string>{"Title", "Part A", "Detail"}));
  BOOST_TEST(p.sections[3].text.find("deep stays in Detail") != std::string::npos);
  BOOST_TEST(p.sections[4].heading_path == (std::vector<std::string>{"Title", "Part B"}));
  BOOST_TEST(p.sections[4].line_end == 20u);
  BOOST_TEST(p.first_h1 == "Title");
}

BOOST_AUTO_TEST_CASE(code_blocks_and_tables_are_never_split) {
  std::string md =
      "# Doc\n\n```bash\n# not a heading\nls\n```\n\n| a | b |\n|---|---|\n| # x | y |\n\n"
      "> # quoted heading\n\n- # list heading\n\n## Next\n";
  auto p = parse_markdown("a.md", md, 1, 3);
  BOOST_REQUIRE_EQUAL(p.sections.size(), 2u);
  BOOST_TEST(p.sections[0].text.find("# not a heading\nls\n```") != std::string::npos);
  BOOST_TEST(p.sections[0].text.find("| # x | y |") != std::string::npos);
  BOOST_TEST(p.sections[1].heading == "Next");
}

BOOST_AUTO_TEST_CASE(setext_headings_and_inline_markup_in_headings) {
  std::string md = "Big Title\n=========\n\nbody\n\nThe `code` *part*\n-----------------\n\nmore\n";
  auto p = parse_markdown("a.md", md, 1, 3);
  BOOST_REQUIRE_EQUAL(p.sections.size(), 2u);
  BOOST_TEST(p.sections[0].heading == "Big Title");
  BOOST_TEST(p.sections[1].heading == "The code part");
  BOOST_TEST(p.sections[1].slug == "the-code-part");
  BOOST_TEST(p.sections[1].line_begin == 6u);
}

BOOST_AUTO_TEST_CASE(links_are_collected_with_lines) {
  std::string md = "# A\n\nsee [b](other.md#x) and\n[c](https://example.com)\n";
  auto p = parse_markdown("a.md", md, 1, 3);
  BOOST_REQUIRE_EQUAL(p.links.size(), 2u);
  BOOST_TEST(p.links[0].target == "other.md#x");
  BOOST_TEST(p.links[0].line == 3u);
}

BOOST_AUTO_TEST_CASE(front_matter_sets_title_tags_status_and_language) {
  std::string text = "---\ntitle: Real Title\ntags: [a, b]\nkeywords: c, d\nstatus: Deprecated\n"
                     "lang: de\npriority: 5\n---\n# Heading Title\n\nText\n";
  auto d = parse_document("core/X.md", text, test_layers(), 3);
  BOOST_TEST(d.problem.empty());
  BOOST_TEST(d.doc.title == "Real Title");
  BOOST_TEST(d.doc.tags == (std::vector<std::string>{"a", "b", "c", "d"}));
  BOOST_TEST(d.doc.status == "deprecated");
  BOOST_TEST(is_retired(d.doc));
  BOOST_TEST(d.doc.language == "de");
  BOOST_TEST(d.doc.priority == 5);
  BOOST_TEST(d.doc.layer == "core");
  BOOST_TEST(d.doc.sections.front().line_begin == 9u); // lines count from the top of the file
}

BOOST_AUTO_TEST_CASE(title_falls_back_to_h1_then_file_name) {
  BOOST_TEST(parse_document("guidelines/a.md", "# From H1\n", test_layers(), 3).doc.title ==
             "From H1");
  BOOST_TEST(
      parse_document("guidelines/CODE_STYLE.md", "text only\n", test_layers(), 3).doc.title ==
      "CODE_STYLE");
}

BOOST_AUTO_TEST_CASE(broken_front_matter_is_reported_not_fatal) {
  auto d = parse_document("core/x.md", "---\ntitle: [unclosed\n---\n# T\n", test_layers(), 3);
  BOOST_TEST(!d.problem.empty());
  BOOST_TEST(d.doc.title == "T");
  auto open = parse_document("core/y.md", "---\ntitle: x\n# T\n", test_layers(), 3);
  BOOST_TEST(open.problem == "front matter has no closing ---");
}

BOOST_AUTO_TEST_CASE(layers_and_languages_come_from_paths) {
  BOOST_TEST(parse_document("INDEX.md", "# I\n", test_layers(), 3).doc.layer == "index");
  BOOST_TEST(parse_document("Guidelines/a.md", "# I\n", test_layers(), 3).doc.layer ==
             "guidelines");
  BOOST_TEST(parse_document("misc/a.md", "# I\n", test_layers(), 3).doc.layer == "other");
  BOOST_TEST(parse_document("pages.de/common/tar.md", "# tar\n", test_layers(), 3).doc.language ==
             "de");
  BOOST_TEST(
      parse_document("pages.pt_BR/common/tar.md", "# tar\n", test_layers(), 3).doc.language ==
      "pt");
  BOOST_TEST(parse_document("pages/common/tar.md", "# tar\n", test_layers(), 3).doc.language ==
             "en");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_reported_and_parsed) {
  auto d = parse_document("core/bad.md", "# Caf\xe9\n\ntext \xff\xfe\n", test_layers(), 3);
  BOOST_TEST(d.problem == "file is not valid utf-8");
  BOOST_TEST(d.doc.sections.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
