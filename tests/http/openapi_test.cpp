// Tests of the OpenAPI document written from a route table.
// SPDX-License-Identifier: MIT
#include "services/http/openapi.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::services::http;

BOOST_AUTO_TEST_SUITE(http_openapi_document)

BOOST_AUTO_TEST_CASE(each_route_becomes_an_operation_of_its_path) {
  route_table t;
  auto ok = [](const call&) -> sage::core::result<reply> { return json_reply({}); };
  t.add({.method = "GET",
         .pattern = "/v1/things/{id}",
         .operation_id = "getThing",
         .summary = "a thing",
         .tag = "things",
         .parameters = {path_param("id", "the id"),
                        query_param("limit", integer_schema(1, 5), "how many")},
         .handle = ok});
  t.add({.method = "POST",
         .pattern = "/v1/things",
         .operation_id = "addThing",
         .tag = "things",
         .body = json{{"type", "object"}},
         .status = 201,
         .handle = ok});
  t.add({.method = "GET",
         .pattern = "/health",
         .operation_id = "health",
         .open = true,
         .handle = ok});
  auto doc = openapi_document(t);
  BOOST_TEST(doc["openapi"] == "3.1.0");
  const auto& get = doc["paths"]["/v1/things/{id}"]["get"];
  BOOST_TEST(get["operationId"] == "getThing");
  BOOST_TEST(get["parameters"][0]["in"] == "path");
  BOOST_TEST(get["parameters"][0]["required"] == true);
  BOOST_TEST(get["parameters"][1]["in"] == "query");
  BOOST_TEST(get["parameters"][1]["schema"]["maximum"] == 5);
  BOOST_TEST(get["responses"].contains("200"));
  BOOST_TEST(!get.contains("security")); // the document-wide requirement applies
  const auto& post = doc["paths"]["/v1/things"]["post"];
  BOOST_TEST(post["requestBody"]["content"].contains("application/json"));
  BOOST_TEST(post["responses"].contains("201"));
  BOOST_TEST(doc["paths"]["/health"]["get"]["security"] == json::array());
  BOOST_TEST(doc["security"].size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
