// Markdown parsing with md4c.
// SPDX-License-Identifier: MIT
#include "core/markdown.hpp"

#include "core/slug.hpp"
#include "core/text_util.hpp"

#include <algorithm>
#include <md4c.h>

namespace sage::core {
namespace {

/// A heading that starts a section: where it starts in the body and its text.
struct heading_mark {
  size_t offset = 0; ///< byte offset of the start of the heading's line
  int level = 0;
  std::string text;
};

struct parse_state {
  std::string_view body;
  int max_level = 3;
  int depth = 0; ///< block nesting: 1 = direct child of the document
  bool in_heading = false;
  int heading_level = 0;
  bool heading_has_offset = false;
  heading_mark current;
  std::vector<heading_mark> headings;
  std::vector<std::pair<std::string, size_t>> links; ///< href, byte offset
  size_t last_text_offset = 0;
};

size_t line_start(std::string_view text, size_t offset) {
  auto nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return (offset == 0 || nl == std::string_view::npos) ? 0 : nl + 1;
}

int enter_block(MD_BLOCKTYPE type, void* detail, void* user) {
  auto& st = *static_cast<parse_state*>(user);
  ++st.depth;
  if (type == MD_BLOCK_H && st.depth == 2) { // depth 1 is MD_BLOCK_DOC
    auto level = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
    if (level <= st.max_level) {
      st.in_heading = true;
      st.heading_level = level;
      st.heading_has_offset = false;
      st.current = heading_mark{0, level, {}};
    }
  }
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* user) {
  auto& st = *static_cast<parse_state*>(user);
  --st.depth;
  if (type == MD_BLOCK_H && st.in_heading) {
    st.in_heading = false;
    // A heading without text has nothing to anchor a section to; it stays in the previous one.
    if (st.heading_has_offset) st.headings.push_back(std::move(st.current));
  }
  return 0;
}

int enter_span(MD_SPANTYPE type, void* detail, void* user) {
  auto& st = *static_cast<parse_state*>(user);
  if (type == MD_SPAN_A) {
    auto* a = static_cast<MD_SPAN_A_DETAIL*>(detail);
    st.links.emplace_back(std::string(a->href.text, a->href.size), st.last_text_offset);
  }
  return 0;
}

int leave_span(MD_SPANTYPE, void*, void*) {
  return 0;
}

int on_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto& st = *static_cast<parse_state*>(user);
  // md4c hands out pointers into the input for ordinary text; entities and replaced
  // characters may point elsewhere, so only in-range pointers give positions.
  const char* begin = st.body.data();
  bool inside = text >= begin && text < begin + st.body.size();
  if (inside) st.last_text_offset = static_cast<size_t>(text - begin);
  if (!st.in_heading) return 0;
  if (inside && !st.heading_has_offset) {
    st.current.offset = line_start(st.body, static_cast<size_t>(text - begin));
    st.heading_has_offset = true;
  }
  if (type == MD_TEXT_NULLCHAR) return 0;
  if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR)
    st.current.text += ' ';
  else
    st.current.text.append(text, size);
  return 0;
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

} // namespace

parsed_markdown parse_markdown(std::string_view path, std::string_view body, uint32_t first_line,
                               int max_level) {
  parse_state st;
  st.body = body;
  st.max_level = max_level;
  MD_PARSER parser{};
  parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
  parser.enter_block = enter_block;
  parser.leave_block = leave_block;
  parser.enter_span = enter_span;
  parser.leave_span = leave_span;
  parser.text = on_text;
  md_parse(body.data(), static_cast<MD_SIZE>(body.size()), &parser, &st);

  parsed_markdown out;
  // Line numbers: one pass over the body, mapping offsets to lines lazily.
  auto line_of = [&, cursor = size_t{0}, line = first_line](size_t offset) mutable {
    if (offset < cursor) {
      cursor = 0;
      line = first_line;
    }
    line += static_cast<uint32_t>(std::count(body.begin() + cursor, body.begin() + offset, '\n'));
    cursor = offset;
    return line;
  };
  for (auto& [href, offset] : st.links)
    out.links.push_back({std::move(href), line_of(offset)});

  uint32_t last_line =
      first_line + static_cast<uint32_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() == '\n') --last_line;

  slug_registry slugs;
  std::vector<std::string> path_stack; // heading texts by level
  auto add_section = [&](size_t begin, size_t end, const heading_mark* h) {
    auto text = body.substr(begin, end - begin);
    if (!h && blank(text)) return;
    section s;
    if (h) {
      s.heading = std::string(trim(h->text));
      s.level = h->level;
      s.slug = slugs.unique(s.heading);
      path_stack.resize(static_cast<size_t>(h->level - 1));
      path_stack.push_back(s.heading);
      s.heading_path = path_stack;
      if (h->level == 1 && out.first_h1.empty()) out.first_h1 = s.heading;
    }
    s.id = std::string(path) + (s.slug.empty() ? "" : "#" + s.slug);
    s.line_begin = line_of(begin);
    s.line_end = end >= body.size() ? last_line : line_of(end) - 1;
    s.text = std::string(text);
    out.sections.push_back(std::move(s));
  };
  // line_of must see offsets in increasing order; sections are emitted in order.
  size_t first = st.headings.empty() ? body.size() : st.headings.front().offset;
  add_section(0, first, nullptr);
  for (size_t i = 0; i < st.headings.size(); ++i) {
    size_t end = i + 1 < st.headings.size() ? st.headings[i + 1].offset : body.size();
    add_section(st.headings[i].offset, end, &st.headings[i]);
  }
  return out;
}

} // namespace sage::core
