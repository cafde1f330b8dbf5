// The tool registry, `tools/list` and `tools/call`, and the cut of over-large results.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"

#include "core/catalogue/catalogue.hpp"
#include "core/catalogue/schema_check.hpp"

#include "actors/engine.hpp"

#include <stdexcept>

namespace sage::services::mcp {
namespace {

using json = nlohmann::json;

constexpr const char* cut_notice =
    "\n\n[cut here: the result exceeded the limit of a tool result; ask for less, e.g. a "
    "smaller budget, limit or max_tokens]";

/// `text` shortened to about `bytes` bytes, at a UTF-8 character boundary.
std::string cut_utf8(const std::string& text, size_t bytes) {
  if (bytes >= text.size()) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80)
    --bytes;
  return text.substr(0, bytes);
}

/// The longest string inside `j`, or null.
json* longest_string(json& j) {
  json* best = nullptr;
  auto consider = [&](json* candidate) {
    if (candidate &&
        (!best || candidate->get_ref<std::string&>().size() > best->get_ref<std::string&>().size()))
      best = candidate;
  };
  if (j.is_string()) return &j;
  if (j.is_object() || j.is_array())
    for (auto& v : j)
      consider(longest_string(v));
  return best;
}

json text_content(std::string text) {
  return {{"type", "text"}, {"text", std::move(text)}};
}

} // namespace

// -- tool_output --------------------------------------------------------------------------------

tool_output tool_output::failure(std::string message) {
  tool_output out;
  out.text = std::move(message);
  out.is_error = true;
  return out;
}

tool_output tool_output::failure(const core::error& err, std::string_view hint) {
  std::string text = err.message;
  // the engine's hints speak of CLI commands; the tool's hint speaks of tools
  if (!err.hint.empty() && err.hint.find("sage ") == std::string::npos) text += "; " + err.hint;
  if (!hint.empty()) text += "; " + std::string(hint);
  return failure(std::move(text));
}

// -- tools from the catalogue -------------------------------------------------------------------

tool_definition tool_of(const core::catalogue::operation& op, tool_handler handler) {
  if (!op.mcp) throw std::logic_error("the catalogue leaves " + op.name + " out of MCP");
  json output = op.result;
  if (!op.mcp_result_member.empty())
    output = {{"type", "object"},
              {"properties", {{op.mcp_result_member, op.result}}},
              {"required", {op.mcp_result_member}}};
  return {
      op.name,           op.title,
      op.description,    core::catalogue::input_schema(op, core::catalogue::interface_kind::mcp),
      std::move(output), {op.read_only, op.destructive, op.idempotent},
      std::move(handler)};
}

// -- registry -----------------------------------------------------------------------------------

tool_registry::tool_registry(std::function<size_t(std::string_view)> count_tokens,
                             size_t max_tokens)
    : count_tokens_(std::move(count_tokens)), max_tokens_(max_tokens) {}

void tool_registry::add(tool_definition tool) {
  if (tool.name.empty() || tools_.contains(tool.name))
    throw std::invalid_argument("tool name empty or already registered: " + tool.name);
  if (tool.description.size() >= max_description_bytes)
    throw std::invalid_argument("tool description too long: " + tool.name);
  if (!tool.input_schema.is_object() || tool.input_schema.value("type", "") != "object" ||
      !tool.output_schema.is_object() || tool.output_schema.value("type", "") != "object")
    throw std::invalid_argument("tool schemas must be objects: " + tool.name);
  // every result may be cut (see `cap`), which it says in `truncated`
  tool.output_schema["properties"]["truncated"] = {
      {"type", "boolean"},
      {"description", "present and true when the result was cut to the token limit"}};
  order_.push_back(tool.name);
  auto name = tool.name;
  tools_.emplace(std::move(name), std::move(tool));
}

const tool_definition* tool_registry::find(std::string_view name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : &it->second;
}

json tool_registry::list() const {
  auto out = json::array();
  for (const auto& name : order_) {
    const auto& t = tools_.at(name);
    out.push_back({{"name", t.name},
                   {"title", t.title},
                   {"description", t.description},
                   {"inputSchema", t.input_schema},
                   {"outputSchema", t.output_schema},
                   {"annotations",
                    {{"title", t.title},
                     {"readOnlyHint", t.annotations.read_only},
                     {"destructiveHint", t.annotations.destructive},
                     {"idempotentHint", t.annotations.idempotent},
                     {"openWorldHint", false}}}});
  }
  return out;
}

json tool_registry::call(const tool_definition& tool, const json& arguments) const {
  auto error_result = [](std::string text) {
    return json{{"content", json::array({text_content(std::move(text))})}, {"isError", true}};
  };
  if (auto problem = core::catalogue::check_against_schema(tool.input_schema, arguments))
    return error_result("invalid arguments for " + tool.name + ": " + *problem +
                        ". The inputSchema of " + tool.name +
                        " in tools/list describes every argument; fix the call and try again");
  tool_output out;
  try {
    out = tool.handler(arguments);
  } catch (const std::exception& e) {
    return error_result("failed to run " + tool.name + ": " + e.what() +
                        "; try again, and if it fails again carry on without this tool");
  } catch (...) {
    return error_result("failed to run " + tool.name +
                        "; try again, and if it fails again carry on without this tool");
  }
  if (out.is_error) return error_result(std::move(out.text));
  return cap({{"content", json::array({text_content(std::move(out.text))})},
              {"structuredContent", std::move(out.structured)},
              {"isError", false}});
}

json tool_registry::cap(json result) const {
  auto& text = result["content"][0]["text"];
  auto& structured = result["structuredContent"];
  auto total = [&] {
    return count_tokens_(text.get_ref<const std::string&>()) +
           count_tokens_(structured.dump(-1, ' ', false, json::error_handler_t::replace));
  };
  size_t used = total();
  for (int round = 0; round < 6 && used > max_tokens_; ++round) {
    // cut the larger of the text and the longest string of the structured content
    json* target = &text;
    if (auto* s = longest_string(structured);
        s && s->get_ref<std::string&>().size() > text.get_ref<std::string&>().size())
      target = s;
    auto& str = target->get_ref<std::string&>();
    size_t tokens = std::max<size_t>(count_tokens_(str), 1);
    size_t excess = used - max_tokens_ + 100 + max_tokens_ / 50;
    size_t keep = tokens > excess ? tokens - excess : 0;
    str = cut_utf8(str, str.size() * keep / tokens) + cut_notice;
    structured["truncated"] = true;
    used = total();
  }
  if (used > max_tokens_)
    return {{"content", json::array({text_content(
                            "the answer is too large for one tool result (" + std::to_string(used) +
                            " tokens, the limit is " + std::to_string(max_tokens_) +
                            "); ask for less: a smaller budget, limit or max_tokens")})},
            {"isError", true}};
  return result;
}

// -- methods ------------------------------------------------------------------------------------

void register_tool_methods(server& srv, std::shared_ptr<const tool_registry> registry,
                           worker_pool& pool) {
  srv.register_method(
      "tools/list", [registry](const json& params, request_context&) -> handler_result {
        // one page holds every tool; no cursor is ever handed out, so any cursor is unknown
        if (params.contains("cursor"))
          return make_error(error_code::invalid_params,
                            "invalid cursor: tools/list returns every tool in one page; call it "
                            "without a cursor");
        return json{{"tools", registry->list()}};
      });
  srv.register_method(
      "tools/call", [registry, &pool](const json& params, request_context& ctx) -> handler_result {
        if (!params.contains("name") || !params["name"].is_string())
          return make_error(error_code::invalid_params,
                            "invalid tools/call params: name is missing or not a string",
                            json{{"field", "name"}});
        auto name = params["name"].get<std::string>();
        const auto* tool = registry->find(name);
        if (!tool)
          return make_error(error_code::invalid_params,
                            "unknown tool: " + name + "; call tools/list to see the tools",
                            json{{"tool", name}});
        auto arguments = params.value("arguments", json::object());
        if (arguments.is_null()) arguments = json::object();
        if (!arguments.is_object())
          return make_error(error_code::invalid_params,
                            "invalid tools/call params: arguments must be an object",
                            json{{"field", "arguments"}});
        auto reply = ctx.reply;
        // Sessions take turns on the pool: one client's burst of heavy calls cannot hold back
        // another's.
        bool queued = pool.submit(
            ctx.notifier().get(), [registry, tool, arguments = std::move(arguments), reply] {
              // a call cancelled while queued does not run; one cancelled while running is
              // dropped (the responder sends nothing for a cancelled request)
              if (reply.cancelled()) return;
              reply.progress(0, 1, "running " + tool->name);
              auto result = registry->call(*tool, arguments);
              if (reply.cancelled()) return;
              if (result.value("isError", false))
                reply.log(log_level::warning, "sage.tools",
                          json{{"event", "tool call failed"},
                               {"tool", tool->name},
                               {"message", result["content"][0].value("text", "")}});
              reply.progress(1, 1, tool->name + " done");
              reply.result(std::move(result));
            });
        if (!queued)
          return make_error(error_code::internal_error,
                            "the server is shutting down; no tool runs");
        return deferred{};
      });
}

std::shared_ptr<const tool_registry> register_tools(server& srv, actors::engine& engine,
                                                    worker_pool& pool) {
  auto ctx = engine.context();
  auto registry = std::make_shared<tool_registry>(
      [ctx](std::string_view text) { return ctx->tokens.count(text); });
  core::catalogue::catalogue catalogue(engine.context()->cfg);
  add_knowledge_tools(*registry, engine, catalogue);
  add_memory_tools(*registry, engine, catalogue);
  add_session_tools(*registry, engine, catalogue);
  for (const auto& op : catalogue.operations())
    if (op.mcp && registry->find(op.name) == nullptr)
      throw std::logic_error("the catalogue offers " + op.name + " over MCP but no tool has it");
  register_tool_methods(srv, registry, pool);
  return registry;
}

} // namespace sage::services::mcp
