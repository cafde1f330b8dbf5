// Exact byte-pair-encoding token counts: loading an encoding, then split, merge and count.
// SPDX-License-Identifier: MIT
#include "core/tokenizer.hpp"

#include "core/bpe_merge.hpp"
#include "core/bpe_ranks.hpp"
#include "core/bpe_split.hpp"
#include "core/utf8_repair.hpp"

#include <map>
#include <mutex>
#include <optional>

namespace sage::core {

struct token_counter::impl {
  std::string encoding;
  std::optional<bpe_ranks> ranks;       ///< empty for `estimate`
  std::optional<bpe_splitter> splitter; ///< empty for `estimate`

  /// Runs split + merge over `text`; appends ranks to `out` if given.
  size_t tokenize(std::string_view text, std::vector<uint32_t>* out) const {
    // PCRE2 without its UTF check is undefined on ill-formed UTF-8, and its check is per call
    // (so per piece, quadratic): validate once here, and repair the rare bad text the way the
    // reference's UTF-8 decoding does (maximal ill-formed subparts -> U+FFFD).
    if (!is_valid_utf8(text)) {
      const std::string repaired = replace_invalid_utf8(text);
      return tokenize_valid(repaired, out);
    }
    return tokenize_valid(text, out);
  }

  size_t tokenize_valid(std::string_view text, std::vector<uint32_t>* out) const {
    size_t tokens = 0;
    size_t pos = 0;
    size_t start = 0;
    size_t end = 0;
    while (splitter->next(text, pos, start, end)) {
      const std::string_view piece = text.substr(start, end - start);
      pos = end;
      // Most pieces (common words with their space) are tokens themselves: one probe.
      const uint32_t whole = ranks->find(piece);
      if (whole != bpe_ranks::no_rank) {
        if (out) out->push_back(whole);
        ++tokens;
        continue;
      }
      tokens += bpe_merge(*ranks, piece, out);
    }
    return tokens;
  }
};

namespace {

/// Tables already loaded in this process, by file: a process that builds several counters
/// (tests, services with several configs) parses each table once. Function-local statics so
/// that a load from another file's static initialiser finds them constructed.
struct table_cache {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<const token_counter::impl>> by_path;
};

table_cache& loaded_tables() {
  static table_cache cache;
  return cache;
}

} // namespace

result<token_counter> token_counter::load(const std::string& encoding,
                                          const std::string& data_dir) {
  if (encoding == "estimate") {
    auto p = std::make_shared<impl>();
    p->encoding = encoding;
    return token_counter(std::move(p));
  }
  const std::string_view pattern = bpe_splitter::pattern_of(encoding);
  if (pattern.empty()) {
    return make_error(error_code::config, "unknown token encoding",
                      "use cl100k_base, o200k_base or estimate");
  }
  const std::string path = data_dir + "/tokenizers/" + encoding + ".tiktoken";

  table_cache& cache = loaded_tables();
  std::lock_guard lock(cache.mutex);
  if (auto it = cache.by_path.find(path); it != cache.by_path.end()) {
    if (auto shared = it->second.lock()) return token_counter(std::move(shared));
  }
  auto ranks = bpe_ranks::load(path);
  if (!ranks) return ranks.err();
  auto splitter = bpe_splitter::compile(pattern);
  if (!splitter) return splitter.err();
  auto p = std::make_shared<impl>();
  p->encoding = encoding;
  p->ranks.emplace(std::move(ranks).value());
  p->splitter.emplace(std::move(splitter).value());
  cache.by_path[path] = p;
  return token_counter(std::move(p));
}

size_t token_counter::count(std::string_view text) const {
  if (!impl_->ranks) return (text.size() + 3) / 4;
  return impl_->tokenize(text, nullptr);
}

std::vector<uint32_t> token_counter::encode(std::string_view text) const {
  std::vector<uint32_t> out;
  if (!impl_->ranks) return out;
  out.reserve(text.size() / 3 + 1);
  impl_->tokenize(text, &out);
  return out;
}

const std::string& token_counter::encoding() const {
  return impl_->encoding;
}

} // namespace sage::core
