// The analysed terms of one document, per section and field; compact and serialisable.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzer.hpp"
#include "core/document.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// Changes whenever the analyzer or the format below would produce different data, so that
/// cached analyses from an older build are rejected by `deserialize` and recomputed.
constexpr uint32_t analysis_format_version = 1;

/// The search fields of a section. The title and tags are those of the document and shared by
/// all its sections; headings are the section's heading path.
enum class search_field : uint8_t { title, headings, body, tags };
constexpr size_t field_count = 4;

/// What the search index needs from one document, independent of every other document, so it
/// can be computed in parallel and cached per file. Terms are stored once in a local vocabulary;
/// fields are sequences of local term ids in text order (a term's position is its index).
///
/// Invariants (checked by `deserialize` and `search_index::build`): `vocabulary_ends` is
/// non-decreasing and ends at `vocabulary.size()`; `bounds` has `3 + 2 * sections` entries,
/// is non-decreasing, starts at 0 and ends at `ids.size()`; every id is below `term_count()`.
struct analyzed_document {
  std::string language;                  ///< the code the document was analysed with
  std::string vocabulary;                ///< distinct terms back to back
  std::vector<uint32_t> vocabulary_ends; ///< end offset of local term i in `vocabulary`
  std::vector<uint32_t> ids;             ///< title, tags, then headings and body of each section
  std::vector<uint32_t> bounds;          ///< start offsets in `ids` of the sequences above, + end

  size_t term_count() const { return vocabulary_ends.size(); }
  std::string_view term(uint32_t id) const {
    const uint32_t begin = id == 0 ? 0 : vocabulary_ends[id - 1];
    return std::string_view{vocabulary}.substr(begin, vocabulary_ends[id] - begin);
  }
  size_t section_count() const { return bounds.size() < 3 ? 0 : (bounds.size() - 3) / 2; }

  std::span<const uint32_t> title() const { return slice(0); }
  std::span<const uint32_t> tags() const { return slice(1); }
  std::span<const uint32_t> headings(size_t section) const { return slice(2 + 2 * section); }
  std::span<const uint32_t> body(size_t section) const { return slice(3 + 2 * section); }
  /// The sequence of `f` in `section` (title and tags are the document's).
  std::span<const uint32_t> terms(size_t section, search_field f) const;

  /// Whether the invariants hold (cheap, linear in the size).
  bool valid() const;

private:
  std::span<const uint32_t> slice(size_t i) const {
    return std::span<const uint32_t>{ids}.subspan(bounds[i], bounds[i + 1] - bounds[i]);
  }
};

/// Analyses the title, tags, and each section's heading path and text in the document's
/// language. The body of a section is its raw Markdown text including the heading line.
analyzed_document analyze(const document& doc, analyzer& az);

/// Appends the binary form of `doc` to `out` (little-endian varints; a version tag first).
void serialize(const analyzed_document& doc, std::string& out);

/// Reads one analysis written by `serialize` starting at `offset` and advances `offset` past it.
/// Truncated, corrupt or old-version input yields an error of code `parse` and leaves `offset`
/// unchanged; it never reads out of bounds or allocates more than the input can describe.
result<analyzed_document> deserialize(std::string_view data, size_t& offset);

} // namespace sage::core
