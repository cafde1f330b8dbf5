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

} // namespace sage::test
