// GitHub-style heading slugs, the anchors of `path#slug` section ids and of Markdown links.
// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sage::core {

/// The anchor GitHub derives from a heading: lower-cased, punctuation and symbols removed
/// (letters, numbers, marks, `-` and `_` kept), spaces turned into `-`.
std::string github_slug(std::string_view heading);

/// Hands out slugs unique within one document, as GitHub does: `usage`, `usage-1`, `usage-2`.
class slug_registry {
public:
  std::string unique(std::string_view heading);

private:
  std::map<std::string, int> seen_;
};

} // namespace sage::core
