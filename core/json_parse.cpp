// Parsing JSON that comes from outside: size, NUL bytes, syntax and depth checked before a DOM.
// SPDX-License-Identifier: MIT
#include "core/json_parse.hpp"

#include <utility>

namespace sage::core {

namespace {

using json = nlohmann::json;

/// Longest parser diagnostic passed on (the "last read" part can be a whole unterminated
/// string).
constexpr std::size_t max_diagnostic_chars = 200;

/// SAX handler that checks syntax and nesting depth without building anything, so that a hostile
/// text cannot make the DOM (or its destruction) deep.
struct syntax_checker {
  explicit syntax_checker(std::size_t limit) : max_depth(limit) {}

  std::size_t max_depth;
  std::size_t depth = 0;
  bool too_deep = false;
  std::optional<std::string> error;
  std::size_t error_offset = 0;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool key(json::string_t&) { return true; }
  bool start_object(std::size_t) { return enter(); }
  bool end_object() { return leave(); }
  bool start_array(std::size_t) { return enter(); }
  bool end_array() { return leave(); }
  /// `position` counts the bytes read, the bad one (or the end) included.
  bool parse_error(std::size_t position, const std::string&, const json::exception& e) {
    error = e.what();
    error_offset = position > 0 ? position - 1 : 0;
    return false;
  }

  bool enter() {
    if (++depth <= max_depth) return true;
    too_deep = true;
    return false;
  }
  bool leave() {
    --depth;
    return true;
  }
};

/// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error
/// …" as "failed to parse <what> as JSON at line 1, column 5: syntax error …", shortened.
std::string describe_parse_error(const std::string& what_failed, std::string_view what) {
  std::string text = what_failed;
  if (text.starts_with("[json.exception.")) {
    if (auto end = text.find("] "); end != std::string::npos) text.erase(0, end + 2);
  }
  std::string head = "failed to parse " + std::string{what} + " as JSON";
  constexpr std::string_view location_prefix = "parse error at ";
  if (text.starts_with(location_prefix)) {
    if (auto colon = text.find(": "); colon != std::string::npos) {
      head += " at " + text.substr(location_prefix.size(), colon - location_prefix.size());
      text.erase(0, colon + 2);
    }
  }
  if (text.size() > max_diagnostic_chars) {
    text.resize(max_diagnostic_chars);
    // Do not leave half a UTF-8 sequence at the cut.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
      text.pop_back();
    if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
    text += "…";
  }
  return head + ": " + text;
}

} // namespace

json_result parse_json(std::string_view text, std::string_view what, const json_limits& limits) {
  const std::string name{what};
  if (text.size() > limits.max_bytes)
    return json_error{json_problem::too_large,
                      "the " + name + " is too large: " + std::to_string(text.size()) +
                          " bytes, the limit is " + std::to_string(limits.max_bytes),
                      limits.max_bytes};
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return json_error{json_problem::syntax,
                      "failed to parse " + name + " as JSON: it holds a NUL byte at offset " +
                          std::to_string(nul),
                      nul};
  syntax_checker checker{limits.max_depth};
  if (!json::sax_parse(text.begin(), text.end(), &checker)) {
    if (checker.too_deep)
      return json_error{json_problem::too_deep,
                        "the " + name + " nests objects and arrays deeper than " +
                            std::to_string(limits.max_depth) + " levels",
                        0};
    return json_error{json_problem::syntax,
                      describe_parse_error(checker.error.value_or("unknown error"), what),
                      checker.error_offset};
  }
  auto document = json::parse(text.begin(), text.end(), nullptr, false);
  if (document.is_discarded()) // cannot happen after the check above; stay safe anyway
    return json_error{json_problem::syntax, "failed to parse " + name + " as JSON", 0};
  return document;
}

result<nlohmann::json> parse_json_as(std::string_view text, std::string_view what, std::string hint,
                                     const json_limits& limits) {
  auto parsed = parse_json(text, what, limits);
  if (!parsed) return make_error(error_code::parse, parsed.err().message, std::move(hint));
  return std::move(parsed).value();
}

nlohmann::json parse_stored_json(std::string_view text, std::size_t max_depth) {
  json_limits limits;
  limits.max_depth = max_depth;
  auto parsed = parse_json(text, "stored value", limits);
  if (!parsed) return json(json::value_t::discarded);
  return std::move(parsed).value();
}

} // namespace sage::core
