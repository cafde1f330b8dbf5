// Parsing and formatting of durations (`250ms`, `2s`, `1m`, `30d`, plain milliseconds).
// SPDX-License-Identifier: MIT
#include "core/duration.hpp"

#include "core/config.hpp"
#include "core/text_util.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace sage::core {

namespace {

struct unit {
  std::string_view suffix;
  std::int64_t millis;
};

/// Days are there for retention ages (`30d`); a day is always 24 hours here, since durations
/// are elapsed time, not calendar time.
constexpr std::array<unit, 6> units{
    {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

constexpr std::string_view too_long_reason = "it is longer than the maximum of ";

error bad_duration(std::string_view text, std::string_view why) {
  return make_error(error_code::invalid_argument,
                    "invalid duration \"" + std::string{text} + "\": " + std::string{why},
                    "write a number with a unit (ms, s, m, h, d) such as 250ms, 2s or 30d; a "
                    "plain number is milliseconds");
}

} // namespace

result<std::chrono::milliseconds> parse_duration(const std::string& text) {
  auto s = trim(text);
  if (s.empty()) return bad_duration(text, "the value is empty");
  if (s.front() == '-') return bad_duration(text, "a duration cannot be negative");
  std::size_t digits = 0;
  while (digits < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[digits])) || s[digits] == '.'))
    ++digits;
  auto number = s.substr(0, digits);
  std::string suffix{s.substr(digits)};
  for (auto& c : suffix)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const unit* found = nullptr;
  for (const auto& u : units)
    if (u.suffix == suffix) found = &u;
  if (number.empty() || found == nullptr)
    return bad_duration(text, "expected a number followed by ms, s, m, h or d");
  if (suffix.empty() && number.find('.') != std::string_view::npos)
    return bad_duration(text, "a number without a unit is whole milliseconds");
  const auto too_long = [&] {
    return bad_duration(text, std::string{too_long_reason} + format_duration(max_duration));
  };
  const std::int64_t limit = max_duration.count();
  if (number.find('.') == std::string_view::npos) {
    // Whole numbers in integers: no rounding, and the product is checked before it is formed.
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec == std::errc::result_out_of_range) return too_long();
    if (ec != std::errc{} || end != number.data() + number.size())
      return bad_duration(text, "expected a number followed by ms, s, m, h or d");
    if (value > static_cast<std::uint64_t>(limit / found->millis)) return too_long();
    return std::chrono::milliseconds{static_cast<std::int64_t>(value) * found->millis};
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) return too_long();
  if (ec != std::errc{} || end != number.data() + number.size())
    return bad_duration(text, "expected a number followed by ms, s, m, h or d");
  double millis = value * static_cast<double>(found->millis);
  if (!std::isfinite(millis) || millis > static_cast<double>(limit)) return too_long();
  double whole = std::round(millis);
  if (std::abs(millis - whole) > 1e-6)
    return bad_duration(text, "the duration must be a whole number of milliseconds");
  return std::chrono::milliseconds{static_cast<std::int64_t>(whole)};
}

bool is_too_long(const error& e) {
  return e.message.find(too_long_reason) != std::string::npos;
}

std::string format_duration(std::chrono::milliseconds value) {
  auto ms = value.count();
  if (ms != 0) {
    for (auto it = units.rbegin(); it != units.rend(); ++it)
      if (!it->suffix.empty() && it->millis > 1 && ms % it->millis == 0)
        return std::to_string(ms / it->millis) + std::string{it->suffix};
  }
  return std::to_string(ms) + "ms";
}

} // namespace sage::core
