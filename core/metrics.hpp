// Metrics in the Prometheus text exposition format 0.0.4 over prometheus-cpp's registry: the
// little the library leaves to its caller (the content type, a stable order). No I/O.
// SPDX-License-Identifier: MIT
#pragma once

#include <prometheus/collectable.h>

#include <string>
#include <string_view>

namespace sage::core {

/// The content type of `render_metrics`'s output.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

/// What `metrics` (a `prometheus::Registry`) holds, written by prometheus-cpp's `TextSerializer`,
/// with families sorted by name and series by labels so that two scrapes compare line by line
/// (the registry keeps families by type and series in a hash map). A family shows once it has a
/// series: one without labels from its first `Add({})`, a labelled one from its first use.
/// prometheus-cpp 1.0 writes help texts verbatim, so they must not hold a newline or backslash.
std::string render_metrics(const prometheus::Collectable& metrics);

} // namespace sage::core
