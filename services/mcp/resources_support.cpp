// Shared pieces of resources, prompts and completion: deferred answers from the pool, error
// mapping and URI decoding.
// SPDX-License-Identifier: MIT
#include "services/mcp/resources_support.hpp"

#include "core/knowledge_base.hpp"
#include "core/layers.hpp"

#include <cctype>

namespace sage::services::mcp::support {

handler_result run_on_pool(worker_pool& pool, request_context& ctx,
                           std::function<handler_result()> work) {
  auto reply = ctx.reply;
  std::string method{ctx.method};
  bool queued = pool.submit(ctx.notifier().get(), [reply, method, work = std::move(work)] {
    auto fail = [&](std::string why) {
      reply.error(make_error(error_code::internal_error,
                             "failed to handle " + method + ": " + why + "; try again"));
    };
    try {
      auto out = work();
      if (auto* result = std::get_if<nlohmann::json>(&out))
        reply.result(std::move(*result));
      else if (auto* error = std::get_if<rpc_error>(&out))
        reply.error(std::move(*error));
      else
        fail("the answer was deferred twice");
    } catch (const std::exception& e) {
      fail(e.what());
    } catch (...) {
      fail("unknown failure");
    }
  });
  if (!queued)
    return make_error(error_code::internal_error, "the server is shutting down; nothing runs");
  return deferred{};
}

rpc_error engine_error(const core::error& err, int not_found_code,
                       std::optional<nlohmann::json> data) {
  switch (err.code) {
  case core::error_code::not_found:
  case core::error_code::forbidden: {
    rpc_error e = make_error(error_code::invalid_params, err.message, std::move(data));
    e.code = not_found_code;
    return e;
  }
  case core::error_code::invalid_argument:
  case core::error_code::ambiguous:
    return make_error(error_code::invalid_params, err.message, std::move(data));
  default:
    return make_error(error_code::internal_error, err.message, std::move(data));
  }
}

std::optional<std::string> percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

std::optional<std::string> string_param(const nlohmann::json& params, const char* key) {
  if (!params.is_object() || !params.contains(key) || !params[key].is_string()) return std::nullopt;
  auto value = params[key].get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

std::vector<std::string> layer_names(const core::knowledge_base& kb) {
  std::vector<std::string> out;
  for (const auto& l : kb.layers)
    out.push_back(l.name);
  for (const auto& d : kb.documents)
    if (d.layer == core::other_layer) {
      out.emplace_back(core::other_layer);
      break;
    }
  return out;
}

std::string inner_path(const core::knowledge_base& kb, const core::document& doc) {
  // knowledge:// + layer + /
  return kb.uri_of(doc).substr(std::string_view("knowledge://").size() + doc.layer.size() + 1);
}

} // namespace sage::services::mcp::support
