// The text rendering of a prometheus-cpp registry.
// SPDX-License-Identifier: MIT
#include "core/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>

namespace sage::core {

std::string render_metrics(const prometheus::Collectable& metrics) {
  auto families = metrics.Collect();
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& family : families)
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  return prometheus::TextSerializer().Serialize(families);
}

} // namespace sage::core
