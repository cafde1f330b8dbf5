// Text for people on a terminal: stored and knowledge text never reaches it as control codes.
// SPDX-License-Identifier: MIT
#pragma once

#include <streambuf>
#include <string>
#include <string_view>

namespace sage::services::cli {

/// Marks the start of one of the CLI's own SGR sequences (`ESC [ 1 m`): the filter passes the
/// sequence after it and drops the marker. 0xFF never occurs in UTF-8 text, and what it lets
/// through is at most a colour change.
inline constexpr char own_style_marker = '\xff';

/// A stream buffer in front of stdout or stderr for human rendering: control characters of the
/// text written through it (C0 except `\n` and `\t`, DEL, C1, bytes that are not UTF-8) come out
/// as visible escapes (`\x1b`, `\u009b`), so that a memory entry or a knowledge file holding
/// `ESC ] 0 ; … BEL` or `ESC [ 2 J` cannot retitle, clear or otherwise drive the terminal of
/// whoever lists it. Everything else passes unchanged, UTF-8 included.
class terminal_escape_buf : public std::streambuf {
public:
  explicit terminal_escape_buf(std::streambuf* target) : target_(target) {}
  ~terminal_escape_buf() override;

protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

private:
  void put(unsigned char c);
  void write(std::string_view text);
  void escape(unsigned char c);
  void flush_pending();

  std::streambuf* target_;
  std::string pending_; ///< an incomplete UTF-8 sequence
  int needed_ = 0;      ///< continuation bytes it still needs
  bool own_style_ = false;
};

} // namespace sage::services::cli
