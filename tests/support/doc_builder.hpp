// Hand-made documents for search tests: a title and one section per body text.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/document.hpp"

#include <string>
#include <vector>

namespace sage::test {

struct doc_spec {
  std::string path;
  std::string title;
  std::vector<std::string> bodies; // one section each
  std::string layer = "core";
  std::string language = "en";
  std::vector<std::string> tags = {};
  std::string status = "";
};

inline core::document make_doc(const doc_spec& spec) {
  core::document doc;
  doc.path = spec.path;
  doc.title = spec.title;
  doc.layer = spec.layer;
  doc.language = spec.language;
  doc.tags = spec.tags;
  doc.status = spec.status;
  for (size_t i = 0; i < spec.bodies.size(); ++i) {
    core::section s;
    s.heading = i == 0 ? spec.title : "Part " + std::to_string(i);
    s.heading_path = i == 0 ? std::vector<std::string>{spec.title}
                            : std::vector<std::string>{spec.title, s.heading};
    s.text = spec.bodies[i];
    doc.sections.push_back(std::move(s));
  }
  return doc;
}

/// Vocabulary of the random corpora in the search tests: inflected English words, German,
/// CJK, `c++`, and function words.
inline const std::vector<std::string> random_corpus_words{
    "run",     "running",  "runs",    "error",  "errors",  "handling", "timeout", "cache",
    "caching", "queue",    "worker",  "retry",  "retries", "backoff",  "file",    "files",
    "archive", "compress", "network", "socket", "the",     "a",        "of",      "and",
    "Datei",   "Dateien",  "Archiv",  "Netz",   "東京",    "京都",     "c++",     "x1",
    "alpha",   "beta",     "gamma",   "delta",  "epsilon", "zeta",     "eta",     "theta"};
inline const std::vector<std::string> random_corpus_layers{"core", "guidelines", "frameworks"};
inline const std::vector<std::string> random_corpus_tags{"net", "io", "perf", "ops"};

} // namespace sage::test
