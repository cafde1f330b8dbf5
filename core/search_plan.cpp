// Query planning for the search index: query words to stemming variants, stop words, filters.
// SPDX-License-Identifier: MIT
#include "core/search_plan.hpp"

#include <algorithm>
#include <array>

namespace sage::core {

namespace {

// English function words, ignored in a query that also has other words: task descriptions
// ("how to handle timeouts in async code") would otherwise favour sections full of them. They
// stay indexed, so a query of only such words ("to be or not to be") still works.
constexpr std::array<std::string_view, 64> stop_words{
    "a",     "about",  "an",   "and",   "are",  "as",   "at",    "be",    "but",  "by",   "can",
    "could", "did",    "do",   "does",  "for",  "from", "had",   "has",   "have", "how",  "i",
    "if",    "in",     "into", "is",    "it",   "its",  "me",    "my",    "of",   "on",   "or",
    "our",   "should", "so",   "some",  "than", "that", "the",   "their", "them", "then", "there",
    "these", "they",   "this", "those", "to",   "was",  "we",    "were",  "what", "when", "where",
    "which", "while",  "who",  "why",   "will", "with", "would", "you",   "your"};

bool is_stop_word(std::string_view word) {
  return std::binary_search(stop_words.begin(), stop_words.end(), word);
}

} // namespace

search_index::query_plan search_index::plan(std::string_view query, analyzer& az) const {
  query_plan plan;
  if (terms_.empty()) return plan;
  token_stream ts;
  az.analyze(query, "", ts, stemming::off);

  // Distinct words in order of first occurrence, at most max_query_terms of them.
  term_dictionary words;
  std::vector<uint32_t> word_of(ts.size(), query_plan::no_group);
  std::vector<uint8_t> stemmable;
  bool only_stop_words = true;
  for (size_t i = 0; i < ts.size(); ++i) {
    auto w = words.find(ts.term(i));
    if (w == term_dictionary::npos && words.size() < max_query_terms) {
      w = words.intern(ts.term(i));
      stemmable.push_back(ts.tokens[i].stemmable ? 1 : 0);
      only_stop_words = only_stop_words && is_stop_word(ts.term(i));
    }
    word_of[i] = w == term_dictionary::npos ? query_plan::no_group : w;
  }

  // Variants of each word: its stem in every analysis class of the index.
  std::vector<uint32_t> word_group(words.size(), query_plan::no_group);
  std::vector<query_variant> variants;
  for (uint32_t w = 0; w < words.size(); ++w) {
    const auto word = words.term(w);
    if (!only_stop_words && is_stop_word(word)) continue;
    variants.clear();
    auto add = [&](std::string_view term, uint64_t classes) {
      const auto id = terms_.find(term);
      if (id == term_dictionary::npos) return;
      for (auto& v : variants)
        if (v.term == id) {
          v.classes |= classes;
          return;
        }
      variants.push_back({id, classes});
    };
    if (stemmable[w] == 0) {
      add(word, all_classes_); // numbers, `c++`, CJK bigrams: never stemmed
    } else {
      if (unstemmed_class_ >= 0) add(word, uint64_t{1} << unstemmed_class_);
      const std::string folded{word};
      for (const auto& [code, cls] : stem_classes_)
        add(az.stem(folded, code), uint64_t{1} << cls);
    }
    if (variants.empty()) continue;
    std::sort(variants.begin(), variants.end(),
              [](const auto& a, const auto& b) { return a.term < b.term; });
    for (uint32_t g = 0; g < plan.groups.size(); ++g)
      if (plan.groups[g].variants == variants) word_group[w] = g;
    if (word_group[w] == query_plan::no_group) {
      word_group[w] = static_cast<uint32_t>(plan.groups.size());
      query_group group;
      group.variants = variants;
      for (const auto& v : variants)
        group.upper_bound = std::max(group.upper_bound, max_impact_[v.term]);
      plan.groups.push_back(std::move(group));
    }
  }

  for (size_t i = 0; i < ts.size(); ++i)
    plan.sequence.push_back(word_of[i] == query_plan::no_group ? query_plan::no_group
                                                               : word_group[word_of[i]]);
  for (uint32_t g = 0; g < plan.groups.size(); ++g)
    for (const auto& v : plan.groups[g].variants) {
      plan.entries.push_back({v.term, g, v.classes});
      plan.bloom[(v.term % query_plan::bloom_bits) / 64] |= uint64_t{1} << (v.term % 64);
    }
  std::sort(plan.entries.begin(), plan.entries.end(), [](const auto& a, const auto& b) {
    return a.term < b.term || (a.term == b.term && a.group < b.group);
  });
  for (size_t i = 1; i < plan.sequence.size(); ++i) {
    const auto a = plan.sequence[i - 1], b = plan.sequence[i];
    if (a != query_plan::no_group && b != query_plan::no_group && a != b)
      plan.pairs.emplace_back(a, b);
  }
  std::sort(plan.pairs.begin(), plan.pairs.end());
  plan.pairs.erase(std::unique(plan.pairs.begin(), plan.pairs.end()), plan.pairs.end());
  return plan;
}

bool search_index::compile(const search_options& opts, filter& out) const {
  out.include_retired = opts.include_retired;
  if (!opts.layers.empty()) {
    out.layer_ok.assign(layer_names_.size(), 0);
    bool any = false;
    for (const auto& name : opts.layers) {
      const auto folded = fold_label(name);
      for (size_t l = 0; l < layer_names_.size(); ++l)
        if (layer_names_[l] == folded) out.layer_ok[l] = 1, any = true;
    }
    if (!any) return false;
  }
  if (!opts.tags.empty()) {
    for (const auto& tag : opts.tags)
      if (auto id = tag_names_.find(fold_label(tag)); id != term_dictionary::npos)
        out.tags.push_back(id);
    if (out.tags.empty()) return false;
    std::sort(out.tags.begin(), out.tags.end());
  }
  return true;
}

bool search_index::allowed(const filter& f, uint32_t doc) const {
  if (!f.include_retired && doc_retired_[doc] != 0) return false;
  if (!f.layer_ok.empty() && f.layer_ok[doc_layer_[doc]] == 0) return false;
  if (!f.tags.empty()) {
    for (auto i = doc_tag_begin_[doc]; i < doc_tag_begin_[doc + 1]; ++i)
      if (std::binary_search(f.tags.begin(), f.tags.end(), doc_tags_[i])) return true;
    return false;
  }
  return true;
}

} // namespace sage::core
