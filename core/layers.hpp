// Layers of a knowledge base: which layer a file belongs to, and how callers name layers.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// The name of files that belong to no configured layer.
inline constexpr std::string_view other_layer = "other";

/// The layer of a KB-relative path: the layer whose folder is the path's first component
/// (the index layer's folder is the file `INDEX.md` itself), a valid front-matter `layer`
/// taking precedence, else `other`. Folder matching is case-insensitive.
std::string layer_of(std::string_view path, std::string_view front_matter_layer,
                     const std::vector<layer_config>& layers);

/// Priority of a layer by name; `other` sorts after every configured layer.
int layer_priority(std::string_view layer, const std::vector<layer_config>& layers);

/// Resolves what a caller typed (`guidelines`, `Guidelines`, `1`) to a layer name; unknown
/// names are an error listing the layers.
result<std::string> resolve_layer_name(std::string_view name, const config& cfg);

/// The document language from a folder suffix such as `pages.de` or `pages.pt_BR` (`de`,
/// `pt`), else empty.
std::string language_from_path(std::string_view path);

} // namespace sage::core
