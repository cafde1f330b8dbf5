// Tests of reading and writing JSON-RPC 2.0 messages as MCP uses them.
// SPDX-License-Identifier: MIT
#include "services/mcp/jsonrpc.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sage::services::mcp;
using json = nlohmann::json;

namespace {

template <class T> T expect(const message& m) {
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<T>(m),
                        "unexpected kind of message (index " << m.index() << ")");
  return std::get<T>(m);
}

/// Parses `text`, requires it to be refused with `code`, a message containing `words`, and
/// returns the error response that would be sent.
json expect_refused(std::string_view text, error_code code, std::string_view words,
                    const limits& bounds = {}) {
  auto refused = expect<invalid_message>(parse_message(text, bounds));
  BOOST_TEST(refused.error.code == static_cast<int>(code));
  BOOST_TEST(refused.error.message.find(words) != std::string::npos,
             "message \"" << refused.error.message << "\" lacks \"" << words << "\"");
  return error_response(refused.id, refused.error);
}

std::string request_text(const std::string& id) {
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"ping"})";
}

} // namespace

BOOST_AUTO_TEST_SUITE(jsonrpc_tests)

// -- well-formed messages -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_request_with_an_integer_id_is_answered_with_the_same_integer) {
  auto r = expect<request>(parse_message(request_text("1")));
  BOOST_TEST(std::get<std::int64_t>(r.id) == 1);
  BOOST_TEST(r.method == "ping");
  BOOST_TEST(r.params == json::object());
  BOOST_TEST(serialize(result_response(r.id, json::object())) ==
             R"({"id":1,"jsonrpc":"2.0","result":{}})");
}

BOOST_AUTO_TEST_CASE(a_request_with_a_string_id_is_answered_with_the_same_string) {
  auto r = expect<request>(parse_message(request_text(R"("1")")));
  BOOST_TEST(std::get<std::string>(r.id) == "1");
  BOOST_TEST(serialize(result_response(r.id, json::object())) ==
             R"({"id":"1","jsonrpc":"2.0","result":{}})");
}

BOOST_AUTO_TEST_CASE(negative_zero_and_extreme_integer_ids_are_kept_exactly) {
  for (std::string id : {"-5", "0", "9223372036854775807", "-9223372036854775808"}) {
    auto r = expect<request>(parse_message(request_text(id)));
    BOOST_TEST(to_string(r.id) == id);
  }
}

BOOST_AUTO_TEST_CASE(an_empty_string_id_and_a_unicode_string_id_are_kept) {
  BOOST_TEST(std::get<std::string>(expect<request>(parse_message(request_text(R"("")"))).id) == "");
  auto r = expect<request>(parse_message(request_text(R"("ключ-😀")")));
  BOOST_TEST(std::get<std::string>(r.id) == "ключ-😀");
}

BOOST_AUTO_TEST_CASE(params_are_passed_as_the_object_they_were) {
  auto r = expect<request>(parse_message(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,2]}}})"));
  BOOST_TEST(r.method == "tools/call");
  BOOST_TEST(r.params == json::parse(R"({"name":"x","arguments":{"a":[1,2]}})"));
}

BOOST_AUTO_TEST_CASE(a_message_without_id_is_a_notification) {
  auto n = expect<notification>(parse_message(R"({"jsonrpc":"2.0","method":"notifications/x"})"));
  BOOST_TEST(n.method == "notifications/x");
  BOOST_TEST(n.params == json::object());
}

BOOST_AUTO_TEST_CASE(surrounding_whitespace_and_a_trailing_newline_are_accepted) {
  expect<request>(parse_message(" \t" + request_text("1") + "\r\n"));
}

BOOST_AUTO_TEST_CASE(a_result_response_from_the_client_is_read) {
  auto r = expect<response>(parse_message(R"({"jsonrpc":"2.0","id":"s1","result":{"roots":[]}})"));
  BOOST_REQUIRE(r.id.has_value());
  BOOST_TEST(std::get<std::string>(*r.id) == "s1");
  BOOST_TEST(std::get<json>(r.outcome) == json::parse(R"({"roots":[]})"));
}

BOOST_AUTO_TEST_CASE(an_error_response_from_the_client_may_have_a_null_id) {
  auto r = expect<response>(parse_message(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad","data":{"x":1}}})"));
  BOOST_TEST(!r.id.has_value());
  const auto& e = std::get<rpc_error>(r.outcome);
  BOOST_TEST(e.code == -32700);
  BOOST_TEST(e.message == "bad");
  BOOST_TEST(e.data.value() == json::parse(R"({"x":1})"));
}

// -- ids ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_null_id_is_refused_and_answered_with_a_null_id) {
  auto sent = expect_refused(request_text("null"), error_code::invalid_request, "not null");
  BOOST_TEST(sent["id"].is_null());
  BOOST_TEST(sent["error"]["message"] == "id must be a string or an integer, not null");
}

BOOST_AUTO_TEST_CASE(fractional_boolean_object_and_array_ids_are_refused) {
  expect_refused(request_text("1.5"), error_code::invalid_request, "fraction or exponent");
  expect_refused(request_text("1.0"), error_code::invalid_request, "fraction or exponent");
  expect_refused(request_text("1e2"), error_code::invalid_request, "fraction or exponent");
  expect_refused(request_text("true"), error_code::invalid_request, "not a boolean");
  expect_refused(request_text(R"({"a":1})"), error_code::invalid_request, "not an object");
  auto sent = expect_refused(request_text("[1]"), error_code::invalid_request, "not an array");
  BOOST_TEST(sent["id"].is_null());
}

BOOST_AUTO_TEST_CASE(an_integer_id_beyond_64_bits_signed_is_refused) {
  expect_refused(request_text("9223372036854775808"), error_code::invalid_request, "too large");
}

// -- members ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_missing_jsonrpc_member_is_refused_and_the_id_echoed) {
  auto sent = expect_refused(R"({"id":7,"method":"ping"})", error_code::invalid_request,
                             R"(lacks "jsonrpc": "2.0")");
  BOOST_TEST(sent["id"] == 7);
}

BOOST_AUTO_TEST_CASE(a_wrong_jsonrpc_version_is_refused_and_the_id_echoed) {
  auto sent = expect_refused(R"({"jsonrpc":"1.0","id":"a","method":"ping"})",
                             error_code::invalid_request, R"("jsonrpc" must be "2.0")");
  BOOST_TEST(sent["id"] == "a");
  expect_refused(R"({"jsonrpc":2.0,"id":1,"method":"ping"})", error_code::invalid_request,
                 R"(must be "2.0")");
}

BOOST_AUTO_TEST_CASE(a_method_that_is_not_a_string_is_refused) {
  auto sent = expect_refused(R"({"jsonrpc":"2.0","id":3,"method":42})", error_code::invalid_request,
                             "method must be a string");
  BOOST_TEST(sent["id"] == 3);
}

BOOST_AUTO_TEST_CASE(a_message_with_only_an_id_is_refused_with_its_id) {
  auto sent =
      expect_refused(R"({"jsonrpc":"2.0","id":3})", error_code::invalid_request, "has no method");
  BOOST_TEST(sent["id"] == 3);
}

BOOST_AUTO_TEST_CASE(a_method_together_with_a_result_is_refused) {
  expect_refused(R"({"jsonrpc":"2.0","id":3,"method":"ping","result":{}})",
                 error_code::invalid_request, "together with result or error");
}

BOOST_AUTO_TEST_CASE(params_as_an_array_are_invalid_params_with_the_id_echoed) {
  // Valid JSON-RPC (parameters by position), but MCP methods take them by name.
  auto sent = expect_refused(R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":[1]})",
                             error_code::invalid_params, "params must be an object");
  BOOST_TEST(sent["id"] == 4);
  BOOST_TEST(sent["error"]["data"]["method"] == "tools/list");
}

BOOST_AUTO_TEST_CASE(params_that_are_not_structured_are_an_invalid_request) {
  // JSON-RPC allows only an object or an array as params.
  expect_refused(R"({"jsonrpc":"2.0","id":4,"method":"ping","params":"x"})",
                 error_code::invalid_request, "params must be an object");
  expect_refused(R"({"jsonrpc":"2.0","id":4,"method":"ping","params":null})",
                 error_code::invalid_request, "params must be an object");
}

BOOST_AUTO_TEST_CASE(a_notification_with_array_params_is_refused_without_an_id) {
  auto sent = expect_refused(R"({"jsonrpc":"2.0","method":"notifications/x","params":[]})",
                             error_code::invalid_params, "params must be an object");
  BOOST_TEST(sent["id"].is_null());
}

BOOST_AUTO_TEST_CASE(a_malformed_response_is_refused_without_echoing_its_id) {
  // Its id names a request of the server; echoing it would answer a client request by mistake.
  auto both = expect_refused(R"({"jsonrpc":"2.0","id":5,"result":{},"error":{}})",
                             error_code::invalid_request, "not both");
  BOOST_TEST(both["id"].is_null());
  expect_refused(R"({"jsonrpc":"2.0","id":5,"result":[1]})", error_code::invalid_request,
                 "result must be an object");
  expect_refused(R"({"jsonrpc":"2.0","id":5,"error":{"code":"x","message":"m"}})",
                 error_code::invalid_request, "integer code and a string message");
  expect_refused(R"({"jsonrpc":"2.0","result":{}})", error_code::invalid_request,
                 "must carry the id");
  expect_refused(R"({"jsonrpc":"2.0","id":true,"result":{}})", error_code::invalid_request,
                 "not a boolean");
}

// -- shape of the text --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_batch_is_refused_with_one_error_and_a_null_id) {
  auto sent = expect_refused("[" + request_text("1") + "," + request_text("2") + "]",
                             error_code::invalid_request, "batches are not supported");
  BOOST_TEST(sent["id"].is_null());
  expect_refused("[]", error_code::invalid_request, "batches are not supported");
}

BOOST_AUTO_TEST_CASE(a_message_that_is_not_an_object_is_refused) {
  expect_refused("42", error_code::invalid_request, "must be a JSON object, not number");
  expect_refused(R"("ping")", error_code::invalid_request, "not string");
  expect_refused("null", error_code::invalid_request, "not null");
}

BOOST_AUTO_TEST_CASE(an_empty_message_is_a_parse_error) {
  expect_refused("", error_code::parse_error, "it is empty");
  expect_refused(" \r\n", error_code::parse_error, "it is empty");
}

BOOST_AUTO_TEST_CASE(truncated_json_is_a_parse_error_with_the_position) {
  auto sent = expect_refused(R"({"jsonrpc":"2.0","id":1,"meth)", error_code::parse_error,
                             "failed to parse message as JSON at line 1, column 30: syntax error");
  BOOST_TEST(sent["id"].is_null());
  BOOST_TEST(sent["error"]["data"]["offset"] == 29); // the end: the text is 29 bytes
  BOOST_TEST(sent["error"]["message"].get<std::string>().find("[json.exception") ==
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_offset_of_a_syntax_error_is_that_of_the_offending_byte) {
  auto sent = expect_refused(R"({"jsonrpc" x})", error_code::parse_error, "syntax error");
  BOOST_TEST(sent["error"]["data"]["offset"] == 11);
}

BOOST_AUTO_TEST_CASE(garbage_text_and_trailing_garbage_are_parse_errors) {
  expect_refused("hello", error_code::parse_error, "failed to parse message as JSON");
  expect_refused(std::string("\x00\x01\x02", 3), error_code::parse_error,
                 "failed to parse message as JSON");
  expect_refused(request_text("1") + " x", error_code::parse_error, "expected end of input");
  expect_refused(request_text("1") + request_text("2"), error_code::parse_error,
                 "expected end of input");
}

BOOST_AUTO_TEST_CASE(a_long_garbage_token_is_cut_in_the_message) {
  std::string text = R"({"jsonrpc":"2.0","method":")" + std::string(10000, 'a');
  auto sent = expect_refused(text, error_code::parse_error,
                             "failed to parse message as JSON at line 1, column 10028");
  auto message = sent["error"]["message"].get<std::string>();
  BOOST_TEST(message.size() < 300);
  BOOST_TEST(message.ends_with("aaa…"));
}

BOOST_AUTO_TEST_CASE(a_number_too_large_for_a_double_is_a_parse_error) {
  expect_refused(R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"n":1e400}})",
                 error_code::parse_error, "number overflow");
}

// -- UTF-8 --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(invalid_utf8_inside_a_string_is_a_parse_error_saying_so) {
  std::string text = R"({"jsonrpc":"2.0","id":1,"method":"a)" + std::string("\xC3") + R"("})";
  auto sent = expect_refused(text, error_code::parse_error, "not valid UTF-8");
  BOOST_TEST(sent["error"]["data"]["offset"] == 35);
  BOOST_TEST(sent["id"].is_null());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_outside_strings_is_a_parse_error_saying_so) {
  expect_refused(R"({"jsonrpc":"2.0",)" + std::string("\xE9") + R"("id":1,"method":"ping"})",
                 error_code::parse_error, "not valid UTF-8 (first bad byte at offset 17)");
  expect_refused(std::string("\xFF\xFE\x00\x01", 4), error_code::parse_error, "not valid UTF-8");
}

BOOST_AUTO_TEST_CASE(overlong_forms_surrogates_and_code_points_above_unicode_are_refused) {
  for (std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF8\x88\x80\x80\x80", "\xE2\x82"}) {
    std::string text = R"({"jsonrpc":"2.0","id":1,"method":")" + bad + R"("})";
    expect_refused(text, error_code::parse_error, "not valid UTF-8");
  }
}

BOOST_AUTO_TEST_CASE(an_escaped_lone_surrogate_is_a_parse_error) {
  expect_refused(R"({"jsonrpc":"2.0","id":1,"method":"\ud800"})", error_code::parse_error,
                 "surrogate");
}

BOOST_AUTO_TEST_CASE(valid_multibyte_text_is_accepted) {
  auto r = expect<request>(parse_message(
      R"({"jsonrpc":"2.0","id":1,"method":"é","params":{"q":"中文 😀 \u00e9 \ud83d\ude00"}})"));
  BOOST_TEST(r.method == "é");
  BOOST_TEST(r.params["q"] == "中文 😀 é 😀");
}

// -- limits -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_64_mib_message_is_refused_by_size_before_it_is_read) {
  // Invalid UTF-8 throughout: were it read, it would be refused as such.
  std::string text(std::size_t{64} << 20, '\xFF');
  auto sent = expect_refused(text, error_code::invalid_request,
                             "the message is too large: 67108864 bytes, the limit is 4194304");
  BOOST_TEST(sent["error"]["data"]["max_bytes"] == 4194304);
}

BOOST_AUTO_TEST_CASE(the_size_limit_is_inclusive) {
  std::string text = request_text("1");
  limits bounds;
  bounds.max_bytes = text.size();
  expect<request>(parse_message(text, bounds));
  bounds.max_bytes = text.size() - 1;
  expect_refused(text, error_code::invalid_request, "too large", bounds);
}

BOOST_AUTO_TEST_CASE(a_message_at_the_default_size_limit_is_read) {
  std::string head = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"p":")";
  std::string tail = R"("}})";
  std::string text =
      head + std::string((std::size_t{4} << 20) - head.size() - tail.size(), 'a') + tail;
  BOOST_TEST(text.size() == std::size_t{4} << 20);
  expect<request>(parse_message(text));
}

BOOST_AUTO_TEST_CASE(nesting_100000_deep_is_refused_without_exhausting_the_stack) {
  std::string arrays = std::string(100000, '[') + std::string(100000, ']');
  expect_refused(arrays, error_code::invalid_request, "deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i)
    objects += R"({"a":)";
  objects += "1" + std::string(100000, '}');
  expect_refused(objects, error_code::invalid_request, "deeper than 64 levels");
  // Unclosed: refused for depth as soon as level 65 opens.
  expect_refused(std::string(100000, '['), error_code::invalid_request, "deeper than 64 levels");
}

BOOST_AUTO_TEST_CASE(a_nul_byte_anywhere_is_a_parse_error) {
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  auto sent = expect_refused(ping + std::string("\0GARBAGE", 8), error_code::parse_error,
                             "failed to parse message as JSON: it holds a NUL byte at offset 40");
  BOOST_TEST(sent["error"]["data"]["offset"] == ping.size());
  BOOST_TEST(sent["id"].is_null());
  expect_refused(std::string("\0", 1), error_code::parse_error, "NUL byte at offset 0");
  expect_refused(R"({"jsonrpc":"2.0","id":1,"method":"pi)" + std::string("\0", 1) + R"(ng"})",
                 error_code::parse_error, "NUL byte");
  expect<request>(parse_message(ping));
}

BOOST_AUTO_TEST_CASE(nesting_is_accepted_up_to_the_limit) {
  // The message object is level 1, params level 2, so 62 more levels reach 64.
  auto nested = [](int levels) {
    return R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":)" + std::string(levels, '[') +
           std::string(levels, ']') + "}}";
  };
  expect<request>(parse_message(nested(62)));
  expect_refused(nested(63), error_code::invalid_request, "deeper than 64 levels");
}

// -- writing ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_error_response_has_data_only_when_given) {
  auto plain = error_response(request_id{std::int64_t{9}},
                              make_error(error_code::method_not_found, "method not found: x"));
  BOOST_TEST(serialize(plain) ==
             R"({"error":{"code":-32601,"message":"method not found: x"},"id":9,"jsonrpc":"2.0"})");
  auto detailed =
      error_response(std::nullopt, make_error(error_code::internal_error, "m", json{{"k", 1}}));
  BOOST_TEST(detailed["id"].is_null());
  BOOST_TEST(detailed["error"]["data"]["k"] == 1);
}

BOOST_AUTO_TEST_CASE(serializing_invalid_utf8_does_not_throw_and_replaces_it) {
  json message =
      result_response(request_id{std::string{"a"}}, json{{"text", std::string("ok \xFF\xC3 end")}});
  std::string text;
  BOOST_CHECK_NO_THROW(text = serialize(message));
  BOOST_TEST(text.find("ok \xEF\xBF\xBD") != std::string::npos); // U+FFFD
  BOOST_TEST(text.find('\xFF') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(serialized_messages_are_one_line) {
  json message = result_response(request_id{std::int64_t{1}},
                                 json{{"text", "line one\nline two\r\n"}, {"n", {1, 2}}});
  auto text = serialize(message);
  BOOST_TEST(text.find('\n') == std::string::npos);
  BOOST_TEST(text.find('\r') == std::string::npos);
  BOOST_TEST(json::parse(text) == message);
}

BOOST_AUTO_TEST_SUITE_END()
