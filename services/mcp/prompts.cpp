// `prompts/list` and `prompts/get`: task_context and session_handoff.
// SPDX-License-Identifier: MIT
#include "services/mcp/prompts.hpp"

#include "services/mcp/resources.hpp"
#include "services/mcp/resources_support.hpp"
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"

#include <charconv>

namespace sage::services::mcp {
namespace {

using json = nlohmann::json;

json prompt_list() {
  return json::array(
      {{{"name", "task_context"},
        {"title", "Context for a task"},
        {"description", "the knowledge base's guidance for a coding task (core principles, "
                        "matching guidelines and frameworks) within a token budget"},
        {"arguments",
         json::array({{{"name", "task"},
                       {"description", "the task in a sentence, e.g. \"add retries to the "
                                       "payment client\""},
                       {"required", true}},
                      {{"name", "budget"},
                       {"description", "most tokens of knowledge (default 4000, at most 10000)"},
                       {"required", false}}})}},
       {{"name", "session_handoff"},
        {"title", "Continue a session"},
        {"description", "the handoff of a working session: objective, steps done and pending, "
                        "decisions and the last action, to pick the work up"},
        {"arguments", json::array({{{"name", "session_id"},
                                    {"description", "the session's id (from session_start)"},
                                    {"required", true}}})}}});
}

rpc_error bad_argument(const std::string& prompt, const std::string& name, const std::string& why) {
  return make_error(error_code::invalid_params,
                    "invalid arguments for prompt " + prompt + ": " + name + " " + why +
                        "; prompts/list describes every argument",
                    json{{"prompt", prompt}, {"argument", name}});
}

/// Argument `name` as text: prompt arguments are strings, numbers are accepted too.
std::optional<std::string> argument(const json& args, const char* name) {
  if (!args.contains(name) || args[name].is_null()) return std::nullopt;
  if (args[name].is_string()) return args[name].get<std::string>();
  if (args[name].is_number_integer()) return std::to_string(args[name].get<int64_t>());
  return std::string{};
}

json user_message(std::string text) {
  return {{"role", "user"}, {"content", {{"type", "text"}, {"text", std::move(text)}}}};
}

handler_result task_context(actors::engine& engine, worker_pool& pool, request_context& ctx,
                            const json& args) {
  auto task = argument(args, "task");
  if (!task || task->empty()) return bad_argument("task_context", "task", "is missing or empty");
  int64_t requested = 0;
  if (auto budget = argument(args, "budget"); budget && !budget->empty()) {
    auto [end, ec] = std::from_chars(budget->data(), budget->data() + budget->size(), requested);
    if (ec != std::errc{} || end != budget->data() + budget->size() || requested <= 0)
      return bad_argument("task_context", "budget", "must be a positive whole number of tokens");
  }
  return support::run_on_pool(pool, ctx, [&engine, task = *task, requested]() -> handler_result {
    std::string notice;
    actors::context_request req;
    req.task = task;
    req.budget = tools::knowledge_budget(requested, notice);
    auto r = engine.calls().context(std::move(req));
    if (!r) return support::engine_error(r.err(), static_cast<int>(error_code::invalid_params));
    std::string text = "I am working on this task: " + task +
                       "\n\nBelow is the relevant guidance from the SAGE knowledge base. Follow "
                       "it where it applies.\n\n" +
                       tools::load_result_text(*r, notice);
    return json{{"description", "knowledge for: " + task},
                {"messages", json::array({user_message(std::move(text))})}};
  });
}

handler_result session_handoff(actors::engine& engine, worker_pool& pool, request_context& ctx,
                               const json& args) {
  auto id = argument(args, "session_id");
  if (!id || id->empty())
    return bad_argument("session_handoff", "session_id", "is missing or empty");
  return support::run_on_pool(pool, ctx, [&engine, id = *id]() -> handler_result {
    auto r = engine.calls().handoff(id, handoff_resource_tokens);
    if (!r)
      return support::engine_error(r.err(), static_cast<int>(error_code::invalid_params),
                                   json{{"session_id", id}});
    std::string text =
        "Continue the working session " + id + ". Here is where it stands:\n\n" + r->markdown;
    return json{{"description", "handoff of session " + id},
                {"messages", json::array({user_message(std::move(text))})}};
  });
}

} // namespace

void register_prompts(server& srv, actors::engine& engine, worker_pool& pool) {
  srv.register_method("prompts/list", [](const json& params, request_context&) -> handler_result {
    if (params.contains("cursor") && !params["cursor"].is_null())
      return make_error(error_code::invalid_params,
                        "invalid cursor: prompts/list returns every prompt in one page; call it "
                        "without a cursor");
    return json{{"prompts", prompt_list()}};
  });
  srv.register_method(
      "prompts/get", [&engine, &pool](const json& params, request_context& ctx) -> handler_result {
        auto name = support::string_param(params, "name");
        if (!name)
          return make_error(error_code::invalid_params,
                            "invalid prompts/get params: name is missing or not a string",
                            json{{"field", "name"}});
        auto args = params.value("arguments", json::object());
        if (args.is_null()) args = json::object();
        if (!args.is_object())
          return make_error(error_code::invalid_params,
                            "invalid prompts/get params: arguments must be an object",
                            json{{"field", "arguments"}});
        if (*name == "task_context") return task_context(engine, pool, ctx, args);
        if (*name == "session_handoff") return session_handoff(engine, pool, ctx, args);
        return make_error(error_code::invalid_params,
                          "unknown prompt: " + *name + "; call prompts/list to see the prompts",
                          json{{"prompt", *name}});
      });
  srv.declare_capability("prompts", {{"listChanged", false}});
}

} // namespace sage::services::mcp
