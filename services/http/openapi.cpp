// The OpenAPI 3.1 document of the HTTP API.
// SPDX-License-Identifier: MIT
#include "services/http/openapi.hpp"

#include <algorithm>
#include <cctype>

namespace sage::services::http {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

json error_schema() {
  return {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message", "details"}},
              {"properties",
               {{"code",
                 {{"type", "string"},
                  {"description", "invalid_argument, not_found, unauthorized, rate_limited, ..."}}},
                {"message", {{"type", "string"}}},
                {"details",
                 {{"type", "object"},
                  {"description", "hint, request_id and what else helps (allowed methods, "
                                  "retry_after_seconds)"}}}}}}}}}};
}

json operation_of(const route& r) {
  json op{{"operationId", r.operation_id}, {"summary", r.summary}, {"tags", {r.tag}}};
  auto params = json::array();
  for (const auto& p : r.parameters) {
    json item{{"name", p.name},
              {"in", p.in_path ? "path" : "query"},
              {"required", p.in_path || p.required},
              {"schema", p.schema}};
    if (!p.description.empty()) item["description"] = p.description;
    params.push_back(std::move(item));
    for (const auto& alias : p.aliases)
      params.push_back({{"name", alias},
                        {"in", "query"},
                        {"required", false},
                        {"deprecated", true},
                        {"description", "the older name of `" + p.name + "`, still accepted"},
                        {"schema", p.schema}});
  }
  if (!params.empty()) op["parameters"] = std::move(params);
  if (r.body)
    op["requestBody"] = {{"required", r.body_required},
                         {"content", {{"application/json", {{"schema", *r.body}}}}}};
  json success{{"description", r.answer_description}};
  if (r.status != 204) success["content"] = {{r.answer_type, {{"schema", r.answer}}}};
  op["responses"] = {{std::to_string(r.status), std::move(success)},
                     {"4XX", {{"$ref", "#/components/responses/Error"}}},
                     {"5XX", {{"$ref", "#/components/responses/Error"}}}};
  if (r.open) op["security"] = json::array();
  return op;
}

} // namespace

json openapi_document(const route_table& table) {
  auto paths = json::object();
  for (const auto& r : table.routes())
    paths[r.pattern][lower(r.method)] = operation_of(r);
  json error_response{
      {"description", "an error; 401 without the API key, 429 with Retry-After"},
      {"headers",
       {{"X-Request-ID",
         {{"description", "the request id, as sent or generated"},
          {"schema", {{"type", "string"}}}}},
        {"Retry-After",
         {{"description", "seconds to wait (429)"}, {"schema", {{"type", "integer"}}}}}}},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "SAGE HTTP API"},
        {"version", SAGE_VERSION},
        {"description",
         "The knowledge, memory, session and budget operations of SAGE over HTTP. Every /v1 "
         "path is also served under /api/v1. Errors are {\"error\":{\"code\",\"message\","
         "\"details\"}}; every answer carries X-Request-ID."}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", {{"Error", error_schema()}}},
        {"responses", {{"Error", std::move(error_response)}}},
        {"securitySchemes",
         {{"ApiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}},
          {"Bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security", json::array({{{"ApiKey", json::array()}}, {{"Bearer", json::array()}}})},
  };
}

} // namespace sage::services::http
