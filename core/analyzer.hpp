// Text analysis: UTF-8 text to normalised, stemmed search terms with offsets and positions.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

class term_dictionary;

/// One term occurrence in an analysed text. The term string itself lives in the
/// `token_stream` that holds the token (see `token_stream::term`).
struct token {
  uint32_t term_begin = 0; ///< offset of the term in `token_stream::terms`
  uint32_t term_size = 0;  ///< length of the term in bytes
  uint32_t begin = 0;      ///< first byte of the occurrence in the analysed text
  uint32_t end = 0;        ///< one past its last byte
  uint32_t position = 0;   ///< index of the token in its stream (for phrases and proximity)
  bool stemmable = false;  ///< a word that a stemmer may change (not a CJK n-gram, number, `c++`)
};

/// The tokens of one or more analysed texts. Reused between calls so that analysing a large
/// corpus allocates only while buffers grow.
struct token_stream {
  std::string terms;         ///< all term strings back to back
  std::vector<token> tokens; ///< in text order; `tokens[i].position == i`

  std::string_view term(size_t i) const {
    return std::string_view{terms}.substr(tokens[i].term_begin, tokens[i].term_size);
  }
  size_t size() const { return tokens.size(); }
  bool empty() const { return tokens.empty(); }
  void clear() {
    terms.clear();
    tokens.clear();
  }
};

/// Whether `analyze` stems words (documents) or leaves them only normalised (query terms that
/// are stemmed later with each language of the index).
enum class stemming : uint8_t { on, off };

/// Turns text into search terms. The same analyzer and language must be used for a document and
/// for the query terms that should find it.
///
/// Rules, in order:
/// - Input is UTF-8; invalid bytes, control characters, punctuation, symbols and spaces separate
///   words. Nothing in the input can make analysis fail.
/// - A word is a run of letters, marks and numbers (Unicode categories L*, M*, N*); format
///   characters (soft hyphen, ZWJ/ZWNJ) inside a word are dropped. `_`, `-`, `.`, `'` split
///   words, so `snake_case` is `snake` + `case` (phrase matching keeps them together).
///   Exceptions kept whole because they name things: a word followed by `++` (`c++`, `g++`,
///   `notepad++`) and a one-letter word followed by `#` (`c#`, `f#`).
/// - Words are NFKC-normalised and case-folded (`Ｆｕｌｌ` -> `full`, `Straße` -> `strasse`),
///   then stemmed with the Snowball algorithm of the language (`running` -> `run`). Words that
///   start with a digit are not stemmed. Words longer than `max_term_bytes` are dropped.
/// - Runs of Han, Hiragana, Katakana, Hangul and of the unsegmented Thai, Lao, Khmer and Myanmar
///   scripts become overlapping character bigrams (`東京都` -> `東京`, `京都`); a single such
///   character alone is a unigram. The script ranges are the Unicode block bounds, not a table.
///
/// Snowball stemmers are not thread-safe, so an analyzer owns its stemmers (created on first
/// use per language) and a cache of stems: use one analyzer per thread. Moving is fine.
class analyzer {
public:
  /// Changes whenever the same text would give different terms; part of cache fingerprints.
  static constexpr uint32_t version = 1;

  /// Terms longer than this (bytes, after normalisation) are hashes or data, not words.
  static constexpr size_t max_term_bytes = 64;

  analyzer();
  ~analyzer();
  analyzer(analyzer&&) noexcept;
  analyzer& operator=(analyzer&&) noexcept;
  analyzer(const analyzer&) = delete;
  analyzer& operator=(const analyzer&) = delete;

  /// Appends the tokens of `text` to `out`; positions continue from the tokens already in `out`,
  /// offsets are relative to `text`. `language` is an ISO 639-1 code, optionally with a region
  /// (`pt_BR`, `pt-BR`); an empty code means `en`; a language without a Snowball stemmer
  /// (`ja`, `zh`, ...) is not stemmed.
  void analyze(std::string_view text, std::string_view language, token_stream& out,
               stemming mode = stemming::on);

  /// Analyses `text` straight into a local vocabulary: appends the id of each term to `ids`,
  /// adding new terms to `vocabulary`. The same terms as the other overload, without tokens.
  void analyze(std::string_view text, std::string_view language, term_dictionary& vocabulary,
               std::vector<uint32_t>& ids);

  /// Convenience for tests and small inputs: the terms of `text` in order.
  std::vector<std::string> terms(std::string_view text, std::string_view language = "en");

  /// Stems one term that `analyze` produced with `stemming::off`. Returns the term unchanged
  /// for a language without a stemmer. The view is valid until the next call on this analyzer.
  std::string_view stem(std::string_view term, std::string_view language);

  /// The Snowball algorithm used for a language code (`de` -> `german`), or empty when the
  /// language is not stemmed. Two codes with the same algorithm produce the same terms.
  static std::string_view stemmer_name(std::string_view language);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace sage::core
