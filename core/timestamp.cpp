// ISO 8601 UTC timestamps with milliseconds, as stored by the memory database.
// SPDX-License-Identifier: MIT
#include "core/timestamp.hpp"

#include <cstdio>
#include <ctime>

namespace sage::core {

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(ms / 1000);
  auto frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string now_timestamp() {
  return format_timestamp(std::chrono::system_clock::now());
}

bool is_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (text.size() != shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return false;
  }
  auto field = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i)
      v = v * 10 + (text[i] - '0');
    return v;
  };
  int month = field(5, 2), day = field(8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && field(11, 2) <= 23 &&
         field(14, 2) <= 59 && field(17, 2) <= 60;
}

} // namespace sage::core
