// Lookups in a knowledge-base snapshot.
// SPDX-License-Identifier: MIT
#include "core/knowledge_base.hpp"

#include "core/kb_paths.hpp"
#include "core/layers.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace sage::core {
namespace {

std::string lookup_key(std::string_view path) {
  auto key = ascii_lower(path);
  if (key.size() > 3 && key.compare(key.size() - 3, 3, ".md") == 0) key.resize(key.size() - 3);
  return key;
}

constexpr std::string_view uri_scheme = "knowledge://";

const char* layer_of_kind(named_kind kind) {
  switch (kind) {
  case named_kind::guideline:
    return "guidelines";
  case named_kind::framework:
    return "frameworks";
  case named_kind::template_:
    return "templates";
  }
  return "";
}

const char* command_of_kind(named_kind kind) {
  switch (kind) {
  case named_kind::guideline:
    return "guidelines";
  case named_kind::framework:
    return "framework";
  case named_kind::template_:
    return "template";
  }
  return "";
}

std::string join(const std::vector<std::string>& items, size_t max_items = 40) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i)
    out += (i ? ", " : "") + items[i];
  if (items.size() > max_items)
    out += ", ... (" + std::to_string(items.size() - max_items) + " more)";
  return out;
}

} // namespace

void knowledge_base::finish() {
  by_key_.clear();
  for (size_t i = 0; i < documents.size(); ++i)
    by_key_.emplace(lookup_key(documents[i].path), i);
}

const document* knowledge_base::find(std::string_view path) const {
  auto it = by_key_.find(lookup_key(path));
  return it == by_key_.end() ? nullptr : &documents[it->second];
}

std::string knowledge_base::uri_of(const document& doc) const {
  std::string rel = doc.path;
  for (const auto& l : layers) {
    if (l.name != doc.layer) continue;
    auto prefix = l.folder + "/";
    if (ascii_lower(rel).rfind(ascii_lower(prefix), 0) == 0) rel = rel.substr(prefix.size());
  }
  return std::string(uri_scheme) + doc.layer + "/" + rel;
}

result<const document*> knowledge_base::resolve(std::string_view request) const {
  std::string path;
  if (request.substr(0, uri_scheme.size()) == uri_scheme) {
    auto rest = request.substr(uri_scheme.size());
    auto slash = rest.find('/');
    auto layer_name = rest.substr(0, slash);
    auto within = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    auto checked = check_relative_path(within);
    if (!checked) return checked.err();
    auto layer = std::find_if(layers.begin(), layers.end(),
                              [&](const layer_config& l) { return l.name == layer_name; });
    if (layer == layers.end() && layer_name != other_layer)
      return make_error(error_code::not_found, "unknown layer in uri: " + std::string(request),
                        "uris look like knowledge://guidelines/CODE_STYLE.md");
    path = layer == layers.end() || layer->folder.find('.') != std::string::npos
               ? *checked
               : layer->folder + "/" + *checked;
  } else {
    auto checked = check_relative_path(request);
    if (!checked) return checked.err();
    path = std::move(*checked);
  }
  if (const auto* doc = find(path)) return doc;
  return make_error(error_code::not_found, "no such document: " + std::string(request),
                    "run `sage search <words>` or `sage layers` to find documents");
}

std::vector<const document*> knowledge_base::layer_documents(std::string_view layer) const {
  std::vector<const document*> out;
  for (const auto& d : documents)
    if (d.layer == layer) out.push_back(&d);
  return out;
}

result<const document*>
knowledge_base::resolve_named(named_kind kind, std::string_view name,
                              const std::map<std::string, std::string>& aliases) const {
  const std::string layer = layer_of_kind(kind);
  auto wanted = ascii_lower(name);
  if (wanted.empty() || !is_valid_utf8(name))
    return make_error(error_code::invalid_argument, "empty or invalid " + layer + " name",
                      std::string("run `sage ") + command_of_kind(kind) + "` to list the names");
  if (auto it = aliases.find(wanted); it != aliases.end()) wanted = ascii_lower(it->second);
  wanted = lookup_key(wanted);

  // Each document answers to its path inside the layer folder and to its file name.
  struct candidate {
    const document* doc;
    std::string inner; ///< `resilience/timeout_patterns`
    std::string stem;  ///< `timeout_patterns`
  };
  std::vector<candidate> all;
  std::string folder;
  for (const auto& l : layers)
    if (l.name == layer) folder = ascii_lower(l.folder) + "/";
  for (const auto* doc : layer_documents(layer)) {
    auto key = lookup_key(doc->path);
    auto inner = key.rfind(folder, 0) == 0 ? key.substr(folder.size()) : key;
    auto stem = inner.substr(inner.rfind('/') == std::string::npos ? 0 : inner.rfind('/') + 1);
    all.push_back({doc, std::move(inner), std::move(stem)});
  }
  auto names_of = [](const std::vector<const candidate*>& cs) {
    std::vector<std::string> names;
    for (const auto* c : cs)
      names.push_back(c->inner);
    return names;
  };
  auto pick = [&](auto&& matches) -> std::vector<const candidate*> {
    std::vector<const candidate*> out;
    for (const auto& c : all)
      if (matches(c)) out.push_back(&c);
    return out;
  };
  using match_fn = std::function<bool(const candidate&)>;
  const match_fn rules[] = {
      [&](const candidate& c) { return c.inner == wanted || c.stem == wanted; },
      [&](const candidate& c) {
        return c.inner.rfind(wanted, 0) == 0 || c.stem.rfind(wanted, 0) == 0;
      },
      [&](const candidate& c) { return c.inner.find(wanted) != std::string::npos; },
  };
  for (const auto& rule : rules) {
    auto found = pick(rule);
    if (found.size() == 1) return found.front()->doc;
    if (found.size() > 1)
      return make_error(error_code::ambiguous,
                        "ambiguous " + std::string(layer_of_kind(kind)) +
                            " name: " + std::string(name),
                        "candidates: " + join(names_of(found)));
  }
  std::vector<const candidate*> every;
  for (const auto& c : all)
    every.push_back(&c);
  return make_error(error_code::not_found,
                    "unknown " + std::string(layer_of_kind(kind)) + " name: " + std::string(name),
                    every.empty() ? "the knowledge base has no " + layer + " layer"
                                  : "available: " + join(names_of(every)));
}

} // namespace sage::core
