// Text analysis: word segmentation, NFKC case folding (utf8proc), Snowball stemming, CJK bigrams.
// SPDX-License-Identifier: MIT
#include "core/analyzer.hpp"

#include "core/term_dictionary.hpp"

#include <libstemmer.h>
#include <utf8proc.h>

#include <array>
#include <cstring>

namespace sage::core {

namespace {

// -- languages ------------------------------------------------------------------------------------

struct language_entry {
  std::string_view code;
  std::string_view algorithm;
};

// ISO 639-1 codes of the Snowball algorithms shipped with libstemmer.
constexpr std::array<language_entry, 30> languages{{
    {"ar", "arabic"},     {"ca", "catalan"},   {"da", "danish"},     {"de", "german"},
    {"el", "greek"},      {"en", "english"},   {"es", "spanish"},    {"eu", "basque"},
    {"fi", "finnish"},    {"fr", "french"},    {"ga", "irish"},      {"hi", "hindi"},
    {"hu", "hungarian"},  {"hy", "armenian"},  {"id", "indonesian"}, {"it", "italian"},
    {"lt", "lithuanian"}, {"nb", "norwegian"}, {"ne", "nepali"},     {"nl", "dutch"},
    {"nn", "norwegian"},  {"no", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"},
    {"ru", "russian"},    {"sr", "serbian"},   {"sv", "swedish"},    {"ta", "tamil"},
    {"tr", "turkish"},    {"yi", "yiddish"},
}};

constexpr size_t no_language = languages.size();

// Index into `languages` of a code such as `de`, `pt_BR` or `EN-us`; `no_language` if unstemmed.
size_t language_index(std::string_view code) {
  if (code.empty()) code = "en";
  char base[2];
  size_t n = 0;
  for (char c : code) {
    if (c == '_' || c == '-') break;
    if (n == 2) return no_language; // three-letter and longer codes are not ISO 639-1
    base[n++] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  const std::string_view key{base, n};
  for (size_t i = 0; i < languages.size(); ++i)
    if (languages[i].code == key) return i;
  return no_language;
}

// -- characters -----------------------------------------------------------------------------------

enum class char_kind : uint8_t { separator, word, format, cjk };

constexpr bool is_ascii_alnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Decodes one UTF-8 sequence at `p`; returns its length, or 0 if it is invalid (overlong,
// surrogate, out of range or truncated).
size_t decode(const uint8_t* p, const uint8_t* end, int32_t& cp) {
  const uint8_t c = p[0];
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t len;
  int32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Scripts written without spaces between words: indexed as character bigrams. The bounds are
// those of the Unicode blocks (Hangul, Kana, CJK ideographs and their extensions, Thai, Lao,
// Myanmar, Khmer); only letters, marks and numbers inside them count.
bool in_bigram_script(int32_t cp) {
  if (cp < 0x0E00) return false;
  if (cp < 0x3000)
    return cp <= 0x0EFF || (cp >= 0x1000 && cp <= 0x109F) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x2E80 && cp <= 0x2FDF);
  if (cp < 0xA000)
    return (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3021 && cp <= 0x3029) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3130 && cp <= 0x318F) ||
           (cp >= 0x31F0 && cp <= 0x31FF) || cp >= 0x3400;
  return (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7FF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFFDC) ||
         (cp >= 0x20000 && cp <= 0x323AF);
}

// Characters whose NFKC case fold is themselves (kana, unified ideographs, Hangul syllables), so
// bigrams of them need no normalisation.
bool is_fold_stable(int32_t cp) {
  return (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3);
}

char_kind classify(int32_t cp) {
  const auto cat = utf8proc_category(cp);
  const bool alnum = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
  if (alnum) return in_bigram_script(cp) ? char_kind::cjk : char_kind::word;
  return cat == UTF8PROC_CATEGORY_CF ? char_kind::format : char_kind::separator;
}

// One character of a run of bigram-script characters.
struct run_char {
  uint32_t begin, end;
  int32_t cp;
};

// A bounded string -> string memo (stems, folded words); cleared when full so that a
// long-running analyzer stays small.
class memo {
public:
  static constexpr size_t max_entries = 1 << 18;

  bool find(std::string_view key, std::string_view& value) const {
    const auto id = keys_.find(key);
    if (id == term_dictionary::npos) return false;
    const uint32_t begin = id == 0 ? 0 : ends_[id - 1];
    value = std::string_view{values_}.substr(begin, ends_[id] - begin);
    return true;
  }

  std::string_view store(std::string_view key, std::string_view value) {
    if (keys_.size() >= max_entries) {
      keys_.clear();
      values_.clear();
      ends_.clear();
    }
    keys_.intern(key);
    const auto begin = values_.size();
    values_.append(value);
    ends_.push_back(static_cast<uint32_t>(values_.size()));
    return std::string_view{values_}.substr(begin, value.size());
  }

private:
  term_dictionary keys_;
  std::string values_;
  std::vector<uint32_t> ends_;
};

constexpr auto fold_options = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);

} // namespace

// -- impl -----------------------------------------------------------------------------------------

struct analyzer::impl {
  std::array<sb_stemmer*, languages.size()> stemmers{};
  std::array<bool, languages.size()> unavailable{};
  std::array<memo, languages.size()> stems;     // folded word -> stem
  std::array<memo, languages.size() + 1> words; // raw non-ASCII word -> its one final term
  std::vector<int32_t> codepoints;              // scratch for normalisation
  std::string folded;                           // scratch for normalisation
  std::string stemmed;                          // result of `analyzer::stem`
  std::vector<run_char> run; // scratch: the current run of bigram-script characters
  std::string word;          // scratch: the current ASCII word, lower-cased

  template <class Sink> void scan(std::string_view text, size_t lang, Sink&& sink);

  ~impl() {
    for (auto* s : stemmers)
      if (s != nullptr) sb_stemmer_delete(s);
  }

  // NFKC case fold of valid UTF-8 into `folded`.
  void fold(std::string_view text) {
    folded.clear();
    const auto* src = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    const auto len = static_cast<utf8proc_ssize_t>(text.size());
    if (codepoints.size() < text.size() + 1) codepoints.resize(text.size() * 2 + 16);
    auto n = utf8proc_decompose(src, len, codepoints.data(),
                                static_cast<utf8proc_ssize_t>(codepoints.size()) - 1, fold_options);
    if (n >= static_cast<utf8proc_ssize_t>(codepoints.size()) - 1) {
      codepoints.resize(static_cast<size_t>(n) + 16);
      n = utf8proc_decompose(src, len, codepoints.data(),
                             static_cast<utf8proc_ssize_t>(codepoints.size()) - 1, fold_options);
    }
    if (n <= 0) return;
    const auto bytes = utf8proc_reencode(codepoints.data(), n, fold_options);
    if (bytes > 0)
      folded.assign(reinterpret_cast<const char*>(codepoints.data()), static_cast<size_t>(bytes));
  }

  // The stem of a folded word in language `lang` (cached).
  std::string_view stem(std::string_view word, size_t lang) {
    if (lang == no_language || unavailable[lang]) return word;
    std::string_view cached;
    if (stems[lang].find(word, cached)) return cached;
    auto*& stemmer = stemmers[lang];
    if (stemmer == nullptr) {
      const std::string algorithm{languages[lang].algorithm};
      stemmer = sb_stemmer_new(algorithm.c_str(), "UTF_8");
      if (stemmer == nullptr) {
        unavailable[lang] = true;
        return word;
      }
    }
    const auto* out = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                      static_cast<int>(word.size()));
    if (out == nullptr) return word;
    const std::string_view result{reinterpret_cast<const char*>(out),
                                  static_cast<size_t>(sb_stemmer_length(stemmer))};
    return stems[lang].store(word, result);
  }
};

// -- analyzer -------------------------------------------------------------------------------------

analyzer::analyzer() : impl_(std::make_unique<impl>()) {}
analyzer::~analyzer() = default;
analyzer::analyzer(analyzer&&) noexcept = default;
analyzer& analyzer::operator=(analyzer&&) noexcept = default;

std::string_view analyzer::stemmer_name(std::string_view language) {
  const auto i = language_index(language);
  return i == no_language ? std::string_view{} : languages[i].algorithm;
}

std::string_view analyzer::stem(std::string_view term, std::string_view language) {
  const auto view = impl_->stem(term, language_index(language));
  impl_->stemmed.assign(view);
  return impl_->stemmed;
}

std::vector<std::string> analyzer::terms(std::string_view text, std::string_view language) {
  token_stream ts;
  analyze(text, language, ts);
  std::vector<std::string> result;
  result.reserve(ts.size());
  for (size_t i = 0; i < ts.size(); ++i)
    result.emplace_back(ts.term(i));
  return result;
}

// Segments, folds and stems `text`, calling `sink(term, begin, end, stemmable)` per token; the
// term view is only valid during the call.
template <class Sink> void analyzer::impl::scan(std::string_view text, size_t lang, Sink&& sink) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();

  // Emits a folded word, stemmed; returns the term or an empty view when it was dropped.
  auto emit_word = [&](std::string_view word, size_t begin, size_t end, bool special) {
    if (word.empty() || word.size() > max_term_bytes) return std::string_view{};
    const bool stemmable = !special && !(word[0] >= '0' && word[0] <= '9');
    const auto term = stemmable ? stem(word, lang) : word;
    sink(term, begin, end, stemmable);
    return term;
  };

  size_t i = 0;
  while (i < n) {
    // Skip separators quickly.
    const uint8_t c = s[i];
    size_t len = 1;
    char_kind kind;
    if (c < 0x80) {
      kind = is_ascii_alnum(c) ? char_kind::word : char_kind::separator;
    } else {
      int32_t cp = 0;
      len = decode(s + i, s + n, cp);
      if (len == 0) {
        ++i;
        continue;
      }
      kind = classify(cp);
    }
    if (kind == char_kind::separator || kind == char_kind::format) {
      i += len;
      continue;
    }

    if (kind == char_kind::cjk) {
      // A run of bigram-script characters: remember each character's byte range.
      run.clear();
      while (i < n) {
        int32_t c2 = 0;
        const size_t l2 = decode(s + i, s + n, c2);
        if (l2 == 0 || c2 < 0x80 || classify(c2) != char_kind::cjk) break;
        run.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + l2), c2});
        i += l2;
      }
      const size_t count = run.size();
      const size_t grams = count == 1 ? 1 : count - 1;
      for (size_t g = 0; g < grams; ++g) {
        const auto& a = run[g];
        const auto& b = count == 1 ? run[g] : run[g + 1];
        std::string_view term = text.substr(a.begin, b.end - a.begin);
        if (!is_fold_stable(a.cp) || !is_fold_stable(b.cp)) {
          fold(term);
          term = folded;
        }
        if (!term.empty()) sink(term, a.begin, b.end, false);
      }
      continue;
    }

    // A word: letters, marks and numbers, ASCII fast path first.
    const size_t begin = i;
    bool ascii = true;
    while (i < n) {
      const uint8_t d = s[i];
      if (d < 0x80) {
        if (!is_ascii_alnum(d)) break;
        ++i;
        continue;
      }
      int32_t c2 = 0;
      const size_t l2 = decode(s + i, s + n, c2);
      if (l2 == 0) break;
      const auto k = classify(c2);
      if (k != char_kind::word && k != char_kind::format) break;
      ascii = false;
      i += l2;
    }
    size_t end = i;
    if (ascii) {
      // Names kept whole: `c++`, `g++`, `notepad++`, and one-letter `c#`, `f#`.
      bool special = false;
      auto letter_at = [&](size_t at) {
        return at < n && ((s[at] >= 'a' && s[at] <= 'z') || (s[at] >= 'A' && s[at] <= 'Z'));
      };
      if (end + 1 < n && s[end] == '+' && s[end + 1] == '+' && !letter_at(end + 2)) {
        end += 2, special = true;
      } else if (end - begin == 1 && end < n && s[end] == '#' &&
                 (end + 1 == n || !is_ascii_alnum(s[end + 1]))) {
        end += 1, special = true;
      }
      i = end;
      word.resize(end - begin);
      for (size_t j = begin; j < end; ++j)
        word[j - begin] = ascii_lower(static_cast<char>(s[j]));
      emit_word(word, begin, end, special);
      continue;
    }
    // Non-ASCII word: NFKC case fold, then split again where normalisation produced
    // separators (e.g. `½` -> `1⁄2`). Words that give one term are memoised by their raw bytes.
    const auto raw = text.substr(begin, end - begin);
    if (std::string_view cached; words[lang].find(raw, cached)) {
      sink(cached, begin, end, !(cached[0] >= '0' && cached[0] <= '9'));
      continue;
    }
    fold(raw);
    const auto* f = reinterpret_cast<const uint8_t*>(folded.data());
    const size_t fn = folded.size();
    auto is_word_at = [&](size_t j, size_t& l) {
      int32_t c3 = 0;
      l = decode(f + j, f + fn, c3);
      if (l == 0) {
        l = 1;
        return false;
      }
      return c3 < 0x80 ? is_ascii_alnum(static_cast<uint8_t>(c3))
                       : classify(c3) != char_kind::separator;
    };
    size_t pieces = 0, emitted = 0, j = 0, l = 0;
    std::string_view only;
    while (j < fn) {
      while (j < fn && !is_word_at(j, l))
        j += l;
      const size_t piece = j;
      while (j < fn && is_word_at(j, l))
        j += l;
      if (j == piece) continue;
      ++pieces;
      only = emit_word(std::string_view{folded}.substr(piece, j - piece), begin, end, false);
      emitted += only.empty() ? 0 : 1;
    }
    if (pieces == 1 && emitted == 1) words[lang].store(raw, only);
  }
}

void analyzer::analyze(std::string_view text, std::string_view language, token_stream& out,
                       stemming mode) {
  const size_t lang = mode == stemming::on ? language_index(language) : no_language;
  impl_->scan(text, lang, [&](std::string_view term, size_t begin, size_t end, bool stemmable) {
    token t;
    t.term_begin = static_cast<uint32_t>(out.terms.size());
    t.term_size = static_cast<uint32_t>(term.size());
    t.begin = static_cast<uint32_t>(begin);
    t.end = static_cast<uint32_t>(end);
    t.position = static_cast<uint32_t>(out.tokens.size());
    t.stemmable = stemmable;
    out.terms.append(term);
    out.tokens.push_back(t);
  });
}

void analyzer::analyze(std::string_view text, std::string_view language,
                       term_dictionary& vocabulary, std::vector<uint32_t>& ids) {
  impl_->scan(text, language_index(language), [&](std::string_view term, size_t, size_t, bool) {
    ids.push_back(vocabulary.intern(term));
  });
}

} // namespace sage::core
