// Checks of a knowledge base: structure and internal links.
// SPDX-License-Identifier: MIT
#include "core/validate.hpp"

#include "core/analyzer.hpp"
#include "core/bpe_merge.hpp"
#include "core/front_matter.hpp"
#include "core/kb_paths.hpp"
#include "core/markdown.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

namespace sage::core {

namespace fs = std::filesystem;

namespace {

/// The longest run of bytes without a space, tab or line break, and the line it starts on.
struct unbroken_run {
  size_t bytes = 0;
  uint32_t line = 0;
};

unbroken_run longest_unbroken_run(std::string_view text) {
  unbroken_run best;
  size_t start = 0;
  uint32_t line = 1, start_line = 1;
  for (size_t i = 0; i <= text.size(); ++i) {
    const bool space =
        i == text.size() || text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
    if (!space) continue;
    if (i - start > best.bytes) best = {i - start, start_line};
    if (i < text.size() && text[i] == '\n') ++line;
    start = i + 1;
    start_line = line;
  }
  return best;
}

const std::set<std::string> known_statuses = {"draft", "review", "approved", "deprecated",
                                              "archived"};

bool has_scheme(std::string_view target) {
  auto colon = target.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return std::all_of(target.begin(), target.begin() + static_cast<long>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

/// Decodes %XX escapes, as link targets in Markdown may be percent-encoded.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Joins a link relative to the linking document's folder; nullopt when it leaves the root.
std::optional<std::string> join_relative(std::string_view doc_path, std::string_view link) {
  std::vector<std::string> parts;
  auto dir =
      doc_path.substr(0, doc_path.rfind('/') == std::string_view::npos ? 0 : doc_path.rfind('/'));
  auto push_all = [&](std::string_view p) -> bool {
    size_t pos = 0;
    while (pos <= p.size()) {
      auto slash = p.find('/', pos);
      auto part =
          p.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.emplace_back(part);
      }
      if (slash == std::string_view::npos) break;
      pos = slash + 1;
    }
    return true;
  };
  if (!link.empty() && link.front() == '/') { // root-relative
    if (!push_all(link.substr(1))) return std::nullopt;
  } else if (!push_all(dir) || !push_all(link)) {
    return std::nullopt;
  }
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

} // namespace

size_t validation_report::errors() const {
  return static_cast<size_t>(std::count_if(issues.begin(), issues.end(),
                                           [](const auto& i) { return i.severity == "error"; }));
}

size_t validation_report::warnings() const {
  return issues.size() - errors();
}

validation_report validate_knowledge_base(const knowledge_base& kb) {
  validation_report report;
  auto add = [&](std::string severity, std::string kind, std::string path, uint32_t line,
                 std::string message) {
    report.issues.push_back(
        {std::move(severity), std::move(kind), std::move(path), line, std::move(message)});
  };

  // -- structure --
  for (const auto& layer : kb.layers) {
    std::error_code ec;
    if (!fs::exists(kb.root / layer.folder, ec))
      add("warning", "missing_layer", layer.folder, 0,
          "layer " + layer.name + " has no " + layer.folder + " in the knowledge base");
  }
  for (const auto& p : kb.problems)
    add("error", "file", p.path, 0, p.message);

  // Slugs of every heading (all levels) per document, for anchor checks.
  std::unordered_map<const document*, std::set<std::string>> anchors;
  std::unordered_map<const document*, std::vector<markdown_link>> links;
  for (const auto& doc : kb.documents) {
    ++report.files_checked;
    if (!doc.status.empty() && !known_statuses.count(doc.status))
      add("warning", "status", doc.path, 1,
          "unknown status " + doc.status +
              " (expected draft, review, approved, deprecated or archived)");
    if (doc.sections.empty()) add("warning", "empty", doc.path, 1, "document has no content");
    std::ifstream in(kb.root / doc.path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto run = longest_unbroken_run(text); run.bytes > bpe_max_piece)
      add("warning", "long_word", doc.path, run.line,
          "a run of " + std::to_string(run.bytes) +
              " bytes without a space: search skips words over " +
              std::to_string(analyzer::max_term_bytes) +
              " bytes and its tokens are counted in slices of " + std::to_string(bpe_max_piece) +
              " bytes (the count may be a little high)");
    auto split = split_front_matter(text);
    auto md = parse_markdown(doc.path, split.body, split.body_line, 6);
    auto& slugs = anchors[&doc];
    for (const auto& s : md.sections)
      if (!s.slug.empty()) slugs.insert(s.slug);
    links[&doc] = std::move(md.links);
  }

  // -- links and anchors --
  for (const auto& doc : kb.documents) {
    for (const auto& link : links[&doc]) {
      std::string_view target = link.target;
      if (target.empty() || has_scheme(target)) continue;
      ++report.links_checked;
      auto hash = target.find('#');
      auto file_part = percent_decode(target.substr(0, hash));
      auto anchor =
          hash == std::string_view::npos ? std::string{} : percent_decode(target.substr(hash + 1));
      if (auto q = file_part.find('?'); q != std::string::npos) file_part.resize(q);
      const document* target_doc = &doc;
      if (!file_part.empty()) {
        auto joined = join_relative(doc.path, file_part);
        if (!joined) {
          add("error", "broken_link", doc.path, link.line,
              "link leaves the knowledge base: " + link.target);
          continue;
        }
        target_doc = kb.find(*joined);
        if (!target_doc) {
          std::error_code ec;
          bool exists = fs::exists(kb.root / *joined, ec) && is_inside(kb.root, kb.root / *joined);
          if (!exists)
            add("error", "broken_link", doc.path, link.line,
                "link target not found: " + link.target);
          continue; // a non-Markdown file: nothing more to check
        }
      }
      if (!anchor.empty() && !anchors[target_doc].count(anchor))
        add("error", "broken_anchor", doc.path, link.line,
            "no heading #" + anchor + " in " + target_doc->path);
    }
  }
  std::stable_sort(report.issues.begin(), report.issues.end(), [](const auto& a, const auto& b) {
    return a.path != b.path ? a.path < b.path : a.line < b.line;
  });
  return report;
}

nlohmann::json to_json(const validation_report& r) {
  auto issues = nlohmann::json::array();
  for (const auto& i : r.issues)
    issues.push_back({{"severity", i.severity},
                      {"kind", i.kind},
                      {"path", i.path},
                      {"line", i.line},
                      {"message", i.message}});
  return {{"valid", r.errors() == 0},         {"files_checked", r.files_checked},
          {"links_checked", r.links_checked}, {"errors", r.errors()},
          {"warnings", r.warnings()},         {"issues", issues}};
}

} // namespace sage::core
