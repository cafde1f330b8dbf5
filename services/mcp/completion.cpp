// `completion/complete`: values for prompt arguments and resource template parameters.
// SPDX-License-Identifier: MIT
#include "services/mcp/completion.hpp"

#include "services/mcp/resources_support.hpp"

#include "actors/engine.hpp"
#include "core/knowledge_base.hpp"

namespace sage::services::mcp {
namespace {

using json = nlohmann::json;

constexpr std::string_view knowledge_template = "knowledge://{layer}/{path}";
constexpr std::string_view handoff_template = "memory://session/{session_id}/handoff";

/// The answer for `candidates` starting with `prefix`: at most `max_completion_values`,
/// with the total and whether more exist.
json complete(const std::vector<std::string>& candidates, const std::string& prefix) {
  auto values = json::array();
  size_t total = 0;
  for (const auto& c : candidates)
    if (support::starts_with_nocase(c, prefix)) {
      if (total < max_completion_values) values.push_back(c);
      ++total;
    }
  return {{"completion",
           {{"values", std::move(values)},
            {"total", total},
            {"hasMore", total > max_completion_values}}}};
}

handler_result session_ids(actors::engine& engine, worker_pool& pool, request_context& ctx,
                           std::string prefix) {
  return support::run_on_pool(pool, ctx, [&engine, prefix]() -> handler_result {
    auto r = engine.calls().sessions("active");
    if (!r) return support::engine_error(r.err(), static_cast<int>(error_code::invalid_params));
    std::vector<std::string> ids;
    for (const auto& s : *r)
      ids.push_back(s.id);
    return complete(ids, prefix);
  });
}

std::vector<std::string> paths(const core::knowledge_base& kb, const std::string& layer) {
  std::vector<std::string> out;
  for (const auto& d : kb.documents)
    if (layer.empty() || d.layer == layer) out.push_back(support::inner_path(kb, d));
  return out;
}

rpc_error bad(const std::string& why) {
  return make_error(error_code::invalid_params, "invalid completion/complete params: " + why);
}

} // namespace

void register_completion(server& srv, actors::engine& engine, worker_pool& pool) {
  srv.register_method(
      "completion/complete",
      [&engine, &pool](const json& params, request_context& ctx) -> handler_result {
        if (!params.contains("ref") || !params["ref"].is_object())
          return bad("ref is missing or not an object");
        if (!params.contains("argument") || !params["argument"].is_object())
          return bad("argument is missing or not an object");
        const auto& ref = params["ref"];
        auto type = support::string_param(ref, "type");
        auto arg = support::string_param(params["argument"], "name");
        if (!type) return bad("ref.type is missing");
        if (!arg) return bad("argument.name is missing");
        auto value = params["argument"].value("value", json(""));
        std::string prefix = value.is_string() ? value.get<std::string>() : std::string{};
        json given = json::object();
        if (params.contains("context") && params["context"].is_object())
          given = params["context"].value("arguments", json::object());
        if (!given.is_object()) given = json::object();

        if (*type == "ref/prompt") {
          auto name = support::string_param(ref, "name");
          if (!name) return bad("ref.name is missing");
          if (*name == "task_context") {
            if (*arg == "budget")
              return complete({"1000", "2000", "4000", "8000", "10000"}, prefix);
            return complete({}, prefix);
          }
          if (*name == "session_handoff") {
            if (*arg == "session_id") return session_ids(engine, pool, ctx, prefix);
            return complete({}, prefix);
          }
          return make_error(error_code::invalid_params,
                            "unknown prompt: " + *name + "; call prompts/list to see the prompts",
                            json{{"prompt", *name}});
        }
        if (*type == "ref/resource") {
          auto uri = support::string_param(ref, "uri");
          if (!uri) return bad("ref.uri is missing");
          if (*uri == knowledge_template) {
            auto kb = engine.context()->snapshot.load();
            if (*arg == "layer") return complete(support::layer_names(*kb), prefix);
            if (*arg == "path") {
              std::string layer;
              if (given.contains("layer") && given["layer"].is_string())
                layer = given["layer"].get<std::string>();
              return complete(paths(*kb, layer), prefix);
            }
            return complete({}, prefix);
          }
          if (*uri == handoff_template) {
            if (*arg == "session_id") return session_ids(engine, pool, ctx, prefix);
            return complete({}, prefix);
          }
          return make_error(error_code::invalid_params,
                            "unknown resource template: " + *uri +
                                "; call resources/templates/list to see the templates",
                            json{{"uri", *uri}});
        }
        return bad("ref.type must be ref/prompt or ref/resource");
      });
}

} // namespace sage::services::mcp
