// Pre-splitting of text into pieces with an encoding's regular expression (PCRE2, JIT).
// SPDX-License-Identifier: MIT
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/bpe_split.hpp"

#include <pcre2.h>

namespace sage::core {
namespace {

// The patterns are js-tiktoken's `pat_str` (package data, ranks/<encoding>.js), verbatim.
// tiktoken itself writes the contractions as `(?i:'s|'t|'re|'ve|'m|'ll|'d)`; js-tiktoken spells
// the case variants out because JavaScript has no inline flags. The spelled-out form is used
// here because caseless matching in PCRE2 (as in Rust) also folds `s` with U+017F (long s),
// which the reference does not.
constexpr std::string_view cl100k_pattern =
    R"re(('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view o200k_pattern =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

/// JavaScript's `\s`: WhiteSpace and LineTerminator of ECMA-262, i.e. tab, LF, VT, FF, CR,
/// U+FEFF, U+2028, U+2029 and the Zs category (whose members have been stable since Unicode 6.3).
constexpr std::string_view js_whitespace =
    R"(\t\n\x{0b}\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff})";

/// Per-thread match state: match data and a JIT stack are not shareable between threads, and
/// creating them per call would cost an allocation per piece.
struct thread_match_state {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  // Long runs of one character class can need more than the default 32 KiB of JIT stack.
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
  thread_match_state() {
    if (context && stack) pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~thread_match_state() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
  }
  thread_match_state(const thread_match_state&) = delete;
  thread_match_state& operator=(const thread_match_state&) = delete;
};

thread_match_state& match_state() {
  thread_local thread_match_state state;
  return state;
}

} // namespace

struct bpe_splitter::compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~compiled() { pcre2_code_free(code); }
};

std::string_view bpe_splitter::pattern_of(const std::string& encoding) {
  if (encoding == "cl100k_base") return cl100k_pattern;
  if (encoding == "o200k_base") return o200k_pattern;
  return {};
}

std::string bpe_splitter::pin_whitespace(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() * 2);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      if (e == 's') {
        if (in_class) {
          out.append(js_whitespace);
        } else {
          out.append("[").append(js_whitespace).append("]");
        }
      } else if (e == 'S' && !in_class) {
        out.append("[^").append(js_whitespace).append("]");
      } else {
        // Other escapes (and `\S` inside a class, which tiktoken's patterns do not use and a
        // class cannot express without nesting) are left to the engine.
        out.push_back('\\');
        out.push_back(e);
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      // A `]` or `^]` right after the opening bracket is a literal, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

result<bpe_splitter> bpe_splitter::compile(std::string_view pattern) {
  const std::string pinned = pin_whitespace(pattern);
  int err = 0;
  PCRE2_SIZE err_offset = 0;
  // UTF + UCP: `\p{..}` and character classes work on code points with Unicode properties.
  // No captures are needed, only the extent of each match.
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pinned.data()), pinned.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_NO_AUTO_CAPTURE, &err, &err_offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return make_error(error_code::internal, "cannot compile token split pattern at offset " +
                                                std::to_string(err_offset) + ": " +
                                                reinterpret_cast<const char*>(msg));
  }
  auto c = std::make_shared<compiled>();
  c->code = code;
  // Without JIT (a platform PCRE2 built without it) matching still works, only slower.
  c->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return bpe_splitter(std::move(c));
}

bool bpe_splitter::next(std::string_view text, size_t from, size_t& start, size_t& end) const {
  if (from >= text.size()) return false;
  thread_match_state& st = match_state();
  if (!st.data) return false;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc;
  if (code_->jit) {
    rc = pcre2_jit_match(code_->code, subject, text.size(), from, 0, st.data, st.context);
  } else {
    rc = pcre2_match(code_->code, subject, text.size(), from, PCRE2_NO_UTF_CHECK, st.data,
                     st.context);
  }
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && code_->jit) {
    // JIT stack exhausted on some monstrous run: the interpreter keeps its backtracking state
    // on the heap and gives the same answer.
    rc = pcre2_match(code_->code, subject, text.size(), from, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                     st.data, st.context);
  }
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) {
    // Every limit exceeded: take the rest of the text as one piece rather than fail a count.
    // Defined, and only ever off by a few tokens at the seam.
    start = from;
    end = text.size();
    return true;
  }
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
  start = ov[0];
  end = ov[1];
  if (end <= start) {
    // The tiktoken patterns never match empty; if one ever did, move on by one code point
    // (as a global JavaScript regex does) instead of looping forever.
    size_t skip = start + 1;
    while (skip < text.size() && (static_cast<unsigned char>(text[skip]) & 0xc0) == 0x80)
      ++skip;
    end = skip;
    start = skip;
  }
  return true;
}

} // namespace sage::core
