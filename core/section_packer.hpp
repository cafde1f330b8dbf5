// Packing whole sections into Markdown within a token budget, exactly counted.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/document.hpp"
#include "core/load_result.hpp"
#include "core/tokenizer.hpp"

#include <string>
#include <vector>

namespace sage::core {

/// A section offered for an answer, with its relevance and its place in the stable order.
struct candidate_section {
  const document* doc = nullptr;
  const section* sec = nullptr;
  double score = 0;
  int layer_priority = 0;
  size_t doc_order = 0;     ///< index of the document in the snapshot
  size_t section_order = 0; ///< index of the section in its document
  size_t tokens = 0;        ///< tokens of the rendered piece (filled by measure())
};

/// The Markdown piece for one section: a source line, then the section text.
std::string render_piece(const candidate_section& c);

/// Fills in `tokens` of each candidate.
void measure(std::vector<candidate_section>& candidates, const token_counter& counter);

/// Renders the chosen sections in stable order (layer priority, document order, section order)
/// into `out.content`, sets `out.tokens` to the exact count, and guarantees `out.tokens <=
/// budget` (when budget > 0) by dropping the least valuable chosen sections, which are moved
/// to `dropped`.
void assemble(std::vector<candidate_section>& chosen, size_t budget, const token_counter& counter,
              load_result& out, std::vector<candidate_section>& dropped);

} // namespace sage::core
