// Text for people on a terminal: control characters become visible escapes.
// SPDX-License-Identifier: MIT
#include "services/cli/terminal_text.hpp"

#include <cstdio>

namespace sage::services::cli {

terminal_escape_buf::~terminal_escape_buf() {
  flush_pending();
  target_->pubsync();
}

terminal_escape_buf::int_type terminal_escape_buf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  put(static_cast<unsigned char>(traits_type::to_char_type(ch)));
  return ch;
}

std::streamsize terminal_escape_buf::xsputn(const char* s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i)
    put(static_cast<unsigned char>(s[i]));
  return n;
}

int terminal_escape_buf::sync() {
  // An incomplete sequence stays pending: the rest may come with the next write.
  return target_->pubsync();
}

void terminal_escape_buf::write(std::string_view text) {
  target_->sputn(text.data(), static_cast<std::streamsize>(text.size()));
}

void terminal_escape_buf::escape(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "\\x%02x", c);
  write(text);
}

void terminal_escape_buf::flush_pending() {
  for (unsigned char c : pending_)
    escape(c);
  pending_.clear();
  needed_ = 0;
}

void terminal_escape_buf::put(unsigned char c) {
  if (own_style_) {
    // ESC [ digits and semicolons, then m: one SGR sequence of our own.
    if (c == 0x1b || c == '[' || c == ';' || (c >= '0' && c <= '9')) {
      target_->sputc(static_cast<char>(c));
      return;
    }
    own_style_ = false;
    if (c == 'm') {
      target_->sputc('m');
      return;
    }
  }
  if (needed_ > 0) {
    if ((c & 0xC0) == 0x80) {
      pending_ += static_cast<char>(c);
      if (--needed_ > 0) return;
      auto lead = static_cast<unsigned char>(pending_[0]);
      if (pending_.size() == 2 && lead == 0xC2 && c <= 0x9F) {
        char text[8];
        std::snprintf(text, sizeof text, "\\u%04x", c); // a C1 control, U+0080..U+009F
        write(text);
      } else {
        write(pending_);
      }
      pending_.clear();
      return;
    }
    flush_pending(); // not UTF-8: show the bytes, then read `c` afresh
  }
  if (static_cast<char>(c) == own_style_marker) {
    own_style_ = true;
    return;
  }
  if (c < 0x80) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      escape(c);
    else
      target_->sputc(static_cast<char>(c));
    return;
  }
  if (c >= 0xC2 && c <= 0xF4) {
    pending_ = static_cast<char>(c);
    needed_ = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    return;
  }
  escape(c); // a stray continuation byte or a byte that never starts UTF-8
}

} // namespace sage::services::cli
