// Errors as values for the core library: a code, a lower-case message and a recovery hint.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

namespace sage::core {

/// What went wrong, coarse enough for callers to map onto exit codes and HTTP statuses.
enum class error_code : uint8_t {
  invalid_argument, ///< bad input from the caller (usage error)
  config,           ///< invalid configuration file or value
  not_found,        ///< a document, layer or name that does not exist
  ambiguous,        ///< a name that matches several candidates
  forbidden,        ///< a path that would leave the knowledge base root
  io,               ///< a file could not be read or written
  parse,            ///< a file could not be parsed
  timed_out,        ///< a deadline expired
  internal,         ///< a bug
};

const char* to_string(error_code code);

/// For test output and logs.
inline std::ostream& operator<<(std::ostream& os, error_code code) {
  return os << to_string(code);
}

/// An error with a message for logs and a hint for people ("run `sage layers` to list layers").
struct error {
  error_code code = error_code::internal;
  std::string message;
  std::string hint;
};

inline error make_error(error_code code, std::string message, std::string hint = {}) {
  return error{code, std::move(message), std::move(hint)};
}

/// A value or an error. Small stand-in for std::expected (C++23).
template <class T> class result {
public:
  result(T value) : data_(std::move(value)) {}
  result(error err) : data_(std::move(err)) {}

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const { return std::get<1>(data_); }

private:
  std::variant<T, error> data_;
};

} // namespace sage::core
