// `resources/list`, `resources/read`, `resources/templates/list` and `resources/subscribe` /
// `unsubscribe`: the knowledge base's documents and layers, and session handoffs.
// SPDX-License-Identifier: MIT
#include "services/mcp/resources.hpp"

#include "services/mcp/resource_watch.hpp"
#include "services/mcp/resources_support.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/bounded_read.hpp"
#include "core/kb_paths.hpp"
#include "core/knowledge_base.hpp"

#include <algorithm>
#include <charconv>
#include <variant>

namespace sage::services::mcp {
namespace {

using json = nlohmann::json;

constexpr std::string_view knowledge_scheme = "knowledge://";
constexpr std::string_view session_prefix = "memory://session/";
constexpr std::string_view handoff_suffix = "/handoff";
constexpr const char* markdown = "text/markdown";
constexpr const char* listing_hint =
    "; call resources/list or resources/templates/list to see what exists";

rpc_error not_found(const std::string& uri, const std::string& why = {}) {
  rpc_error e = make_error(error_code::invalid_params,
                           "resource not found: " + uri + (why.empty() ? "" : " (" + why + ")") +
                               listing_hint,
                           json{{"uri", uri}});
  e.code = resource_not_found_code;
  return e;
}

rpc_error malformed(std::string_view method, const std::string& why) {
  return make_error(error_code::invalid_params,
                    "invalid " + std::string(method) + " params: " + why, json{{"field", "uri"}});
}

/// The `uri` param, or the -32602 error for a missing, non-string or empty one.
std::variant<std::string, rpc_error> uri_param(const json& params, std::string_view method) {
  if (!params.contains("uri") || !params["uri"].is_string())
    return malformed(method, "uri is missing or not a string");
  auto uri = params["uri"].get<std::string>();
  if (uri.empty()) return malformed(method, "uri is empty");
  return uri;
}

/// What a `knowledge://` URI names in a snapshot: a layer or a document.
struct knowledge_target {
  std::string layer;                   ///< set for a layer
  const core::document* doc = nullptr; ///< set for a document
  std::string uri;                     ///< as resources/list names it
};

/// Resolves a `knowledge://` URI as resources/read and resources/subscribe take it: unknown
/// layers and documents and URIs that leave the knowledge base are -32002, broken escapes
/// -32602.
std::variant<knowledge_target, rpc_error>
resolve_knowledge(const core::knowledge_base& kb, const std::string& uri, std::string_view method) {
  auto decoded = support::percent_decode(uri.substr(knowledge_scheme.size()));
  if (!decoded) return malformed(method, "the uri has a broken %-escape: " + uri);
  auto slash = decoded->find('/');
  if (slash == std::string::npos || slash + 1 == decoded->size()) {
    auto layer = decoded->substr(0, slash);
    auto names = support::layer_names(kb);
    if (std::find(names.begin(), names.end(), layer) == names.end())
      return not_found(uri, "no such layer");
    return knowledge_target{layer, nullptr, std::string(knowledge_scheme) + layer};
  }
  auto doc = kb.resolve(std::string(knowledge_scheme) + *decoded);
  if (!doc) return not_found(uri, doc.err().message);
  return knowledge_target{{}, *doc, kb.uri_of(**doc)};
}

json layer_resource(const core::knowledge_base& kb, const std::string& layer) {
  size_t count = 0;
  for (const auto& d : kb.documents)
    count += d.layer == layer ? 1 : 0;
  return {{"uri", std::string(knowledge_scheme) + layer},
          {"name", layer},
          {"title", "Layer " + layer},
          {"description", "the " + layer + " layer (" + std::to_string(count) +
                              " documents), its best sections within " +
                              std::to_string(layer_resource_budget) + " tokens"},
          {"mimeType", markdown}};
}

json document_resource(const core::knowledge_base& kb, size_t index) {
  const auto& doc = kb.documents[index];
  auto uri = kb.uri_of(doc);
  auto name = support::inner_path(kb, doc);
  json r{{"uri", uri}, {"name", name}, {"title", doc.title}, {"mimeType", markdown}};
  if (!doc.description.empty()) r["description"] = doc.description;
  if (kb.files.size() == kb.documents.size()) r["size"] = kb.files[index].size;
  return r;
}

/// The offset a cursor stands for, or nothing for a cursor this server did not hand out.
std::optional<size_t> parse_cursor(const json& cursor, size_t total) {
  if (!cursor.is_string()) return std::nullopt;
  const auto& text = cursor.get_ref<const std::string&>();
  if (text.size() < 2 || text.front() != 'o') return std::nullopt;
  size_t offset = 0;
  auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), offset);
  if (ec != std::errc{} || end != text.data() + text.size() || offset > total) return std::nullopt;
  return offset;
}

handler_result list(const core::knowledge_base& kb, const json& params, size_t page_size) {
  auto layers = support::layer_names(kb);
  size_t total = layers.size() + kb.documents.size();
  size_t offset = 0;
  if (params.contains("cursor") && !params["cursor"].is_null()) {
    auto parsed = parse_cursor(params["cursor"], total);
    if (!parsed)
      return make_error(error_code::invalid_params,
                        "invalid cursor: pass the nextCursor of the previous resources/list "
                        "answer, or none for the first page",
                        json{{"field", "cursor"}});
    offset = *parsed;
  }
  auto out = json::array();
  size_t end = std::min(total, offset + page_size);
  for (size_t i = offset; i < end; ++i)
    out.push_back(i < layers.size() ? layer_resource(kb, layers[i])
                                    : document_resource(kb, i - layers.size()));
  json result{{"resources", std::move(out)}};
  if (end < total) result["nextCursor"] = "o" + std::to_string(end);
  return result;
}

/// Largest knowledge file served as a resource; knowledge files are Markdown documents.
constexpr std::size_t max_document_bytes = std::size_t{64} << 20;

json text_contents(const std::string& uri, std::string text) {
  return {{"contents", json::array({{{"uri", uri}, {"mimeType", markdown}, {"text", text}}})}};
}

handler_result read_document(std::shared_ptr<const core::knowledge_base> kb,
                             const core::document* doc, const std::string& uri) {
  auto path = core::resolve_inside(kb->root, doc->path);
  if (!path) return not_found(uri, path.err().message);
  // Regular files only and bounded: a document replaced by a FIFO or a link to a device must not
  // hang or fill a worker.
  auto text = core::read_bounded_file(path->string(), max_document_bytes, "knowledge file");
  if (!text)
    return make_error(error_code::internal_error,
                      "failed to read knowledge file; try again or run `sage validate`",
                      json{{"uri", uri}});
  return text_contents(uri, std::move(*text));
}

handler_result read_knowledge(actors::engine& engine, worker_pool& pool, request_context& ctx,
                              const std::string& uri) {
  auto kb = engine.context()->snapshot.load();
  auto resolved = resolve_knowledge(*kb, uri, ctx.method);
  if (auto* e = std::get_if<rpc_error>(&resolved)) return *e;
  auto target = std::get<knowledge_target>(std::move(resolved));
  if (!target.doc)
    return support::run_on_pool(
        pool, ctx, [&engine, layer = target.layer, uri]() -> handler_result {
          actors::get_request req;
          req.target = layer;
          req.budget = layer_resource_budget;
          auto r = engine.calls().get(std::move(req));
          if (!r)
            return support::engine_error(r.err(), resource_not_found_code, json{{"uri", uri}});
          return text_contents(uri, tools::load_result_text(*r, ""));
        });
  return support::run_on_pool(pool, ctx,
                              [kb, d = target.doc, uri] { return read_document(kb, d, uri); });
}

handler_result read_handoff(actors::engine& engine, worker_pool& pool, request_context& ctx,
                            const std::string& uri) {
  if (!uri.ends_with(handoff_suffix) || uri.size() <= session_prefix.size() + handoff_suffix.size())
    return not_found(uri);
  auto id = support::percent_decode(uri.substr(
      session_prefix.size(), uri.size() - session_prefix.size() - handoff_suffix.size()));
  if (!id) return malformed(ctx.method, "the uri has a broken %-escape: " + uri);
  if (id->empty() || id->find('/') != std::string::npos) return not_found(uri);
  return support::run_on_pool(pool, ctx, [&engine, id = *id, uri]() -> handler_result {
    auto r = engine.calls().handoff(id, handoff_resource_tokens);
    if (!r) {
      if (r.err().code == core::error_code::not_found ||
          r.err().code == core::error_code::invalid_argument)
        return not_found(uri, r.err().message);
      return support::engine_error(r.err(), resource_not_found_code, json{{"uri", uri}});
    }
    return text_contents(uri, r->markdown);
  });
}

/// Where a `resources/subscribe` or `unsubscribe` URI points: the URI its notifications carry
/// (as resources/list names it), or why it cannot be subscribed to.
std::variant<std::string, rpc_error> subscribable(const core::knowledge_base& kb,
                                                  const std::string& uri, std::string_view method) {
  if (uri.starts_with(knowledge_scheme)) {
    auto resolved = resolve_knowledge(kb, uri, method);
    if (auto* e = std::get_if<rpc_error>(&resolved)) return *e;
    return std::get<knowledge_target>(resolved).uri;
  }
  if (uri.starts_with(session_prefix))
    return make_error(error_code::invalid_params,
                      "session handoffs cannot be subscribed to: " + uri +
                          "; subscribe to knowledge:// documents and layers",
                      json{{"uri", uri}});
  return not_found(uri, "unknown scheme; sage serves knowledge:// and memory://session/");
}

handler_result subscribe(const core::knowledge_base& kb, const json& params, request_context& ctx) {
  auto uri = uri_param(params, ctx.method);
  if (auto* e = std::get_if<rpc_error>(&uri)) return *e;
  auto target = subscribable(kb, std::get<std::string>(uri), ctx.method);
  if (auto* e = std::get_if<rpc_error>(&target)) return *e;
  auto notifier = ctx.notifier();
  if (!notifier) return make_error(error_code::internal_error, "no session to subscribe");
  notifier->subscribe(std::get<std::string>(target)); // again is fine: still one subscription
  return json::object();
}

handler_result unsubscribe(const core::knowledge_base& kb, const json& params,
                           request_context& ctx) {
  auto uri = uri_param(params, ctx.method);
  if (auto* e = std::get_if<rpc_error>(&uri)) return *e;
  auto notifier = ctx.notifier();
  if (!notifier) return make_error(error_code::internal_error, "no session to unsubscribe");
  // As subscribed (also a document removed since), else whatever the URI names now.
  if (notifier->unsubscribe(std::get<std::string>(uri))) return json::object();
  auto target = subscribable(kb, std::get<std::string>(uri), ctx.method);
  if (auto* e = std::get_if<rpc_error>(&target)) return *e;
  notifier->unsubscribe(std::get<std::string>(target)); // not subscribed: nothing to undo
  return json::object();
}

json templates() {
  return json::array(
      {{{"uriTemplate", "knowledge://{layer}/{path}"},
        {"name", "knowledge-document"},
        {"title", "Knowledge document"},
        {"description", "a document of the knowledge base by layer and path inside the layer, "
                        "e.g. knowledge://guidelines/CODE_STYLE.md; knowledge://{layer} alone "
                        "reads the layer within a budget"},
        {"mimeType", markdown}},
       {{"uriTemplate", "memory://session/{session_id}/handoff"},
        {"name", "session-handoff"},
        {"title", "Session handoff"},
        {"description", "the continuation prompt of a working session (objective, steps, "
                        "decisions, last action) within " +
                            std::to_string(handoff_resource_tokens) + " tokens"},
        {"mimeType", markdown}}});
}

} // namespace

void register_resources(server& srv, actors::engine& engine, worker_pool& pool,
                        const std::shared_ptr<resource_watch>& watch, size_t page_size) {
  if (page_size == 0) page_size = 1;
  srv.register_method("resources/list", [&engine, page_size](const json& params, request_context&) {
    return list(*engine.context()->snapshot.load(), params, page_size);
  });
  srv.register_method("resources/read",
                      [&engine, &pool](const json& params, request_context& ctx) -> handler_result {
                        auto uri = uri_param(params, ctx.method);
                        if (auto* e = std::get_if<rpc_error>(&uri)) return *e;
                        const auto& text = std::get<std::string>(uri);
                        if (text.starts_with(knowledge_scheme))
                          return read_knowledge(engine, pool, ctx, text);
                        if (text.starts_with(session_prefix))
                          return read_handoff(engine, pool, ctx, text);
                        return not_found(
                            text, "unknown scheme; sage serves knowledge:// and memory://session/");
                      });
  srv.register_method("resources/templates/list",
                      [](const json& params, request_context&) -> handler_result {
                        if (params.contains("cursor") && !params["cursor"].is_null())
                          return make_error(error_code::invalid_params,
                                            "invalid cursor: resources/templates/list returns "
                                            "every template in one page; call it without a cursor");
                        return json{{"resourceTemplates", templates()}};
                      });
  srv.register_method("resources/subscribe", [&engine](const json& params, request_context& ctx) {
    return subscribe(*engine.context()->snapshot.load(), params, ctx);
  });
  srv.register_method("resources/unsubscribe", [&engine](const json& params, request_context& ctx) {
    return unsubscribe(*engine.context()->snapshot.load(), params, ctx);
  });
  // Weak: a session that becomes ready after the watch is gone simply gets no notifications.
  srv.observe_sessions([weak = std::weak_ptr<resource_watch>(watch)](const auto& notifier) {
    if (auto w = weak.lock()) w->add(notifier);
  });
  srv.declare_capability("resources", {{"subscribe", true}, {"listChanged", true}});
}

} // namespace sage::services::mcp
