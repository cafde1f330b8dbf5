// Token budget logic: levels in integer arithmetic, checks, reports, selections and summaries.
// SPDX-License-Identifier: MIT
#include "core/token_budget.hpp"

#include <nlohmann/json.hpp>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>

namespace sage::core {

namespace {

constexpr int64_t parts = 1'000'000;

/// A threshold as parts per million, so 0.7 is exactly 700000.
int64_t ppm(double share) {
  return std::clamp<int64_t>(std::llround(share * static_cast<double>(parts)), 0, parts);
}

double share_of(budget_level level, const budget_thresholds& t) {
  switch (level) {
  case budget_level::normal:
    return 0.0;
  case budget_level::caution:
    return t.caution;
  case budget_level::warning:
    return t.warning;
  case budget_level::critical:
    return t.critical;
  case budget_level::overflow:
    return t.overflow;
  }
  return 0.0;
}

constexpr std::array all_levels{budget_level::normal, budget_level::caution, budget_level::warning,
                                budget_level::critical, budget_level::overflow};

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

size_t saturating_sub(size_t a, size_t b) {
  return a > b ? a - b : 0;
}

} // namespace

// -- levels ---------------------------------------------------------------------

const char* to_string(budget_level level) {
  switch (level) {
  case budget_level::normal:
    return "normal";
  case budget_level::caution:
    return "caution";
  case budget_level::warning:
    return "warning";
  case budget_level::critical:
    return "critical";
  case budget_level::overflow:
    return "overflow";
  }
  return "unknown";
}

size_t tokens_at(budget_level level, size_t available, const budget_thresholds& thresholds) {
  if (level == budget_level::normal) return 0;
  // The least `used` with used / available >= share: ceil(ppm * available / 1e6), in 128 bits.
  auto scaled = static_cast<unsigned __int128>(ppm(share_of(level, thresholds))) * available;
  auto tokens = (scaled + parts - 1) / parts;
  // A level above normal never starts at zero use, even with nothing available.
  return std::max<size_t>(1, static_cast<size_t>(tokens));
}

budget_level level_of(size_t used, size_t available, const budget_thresholds& thresholds) {
  auto level = budget_level::normal;
  for (auto candidate : all_levels)
    if (used >= tokens_at(candidate, available, thresholds)) level = candidate;
  return level;
}

// -- status and checks ----------------------------------------------------------------

budget_status make_status(const budget_config& cfg, size_t used, size_t held) {
  budget_status s;
  s.max_tokens = static_cast<size_t>(std::max(cfg.max_tokens, 0));
  s.reserved_tokens = static_cast<size_t>(std::max(cfg.reserved_tokens, 0));
  s.available = saturating_sub(s.max_tokens, s.reserved_tokens);
  s.used = used;
  s.reserved_by_reservations = held;
  s.remaining = saturating_sub(s.available, used + held);
  s.percent = s.available == 0
                  ? (used == 0 ? 0.0 : 100.0)
                  : 100.0 * static_cast<double>(used) / static_cast<double>(s.available);
  s.thresholds = cfg.thresholds;
  s.level = level_of(used, s.available, s.thresholds);
  return s;
}

budget_check check(const budget_status& status, size_t tokens) {
  budget_check c;
  c.used_after = status.used + status.reserved_by_reservations + tokens;
  c.fits = c.used_after <= status.available;
  c.level_after = level_of(c.used_after, status.available, status.thresholds);
  c.changes_level = c.level_after != status.level;
  c.remaining_after = saturating_sub(status.available, c.used_after);
  return c;
}

nlohmann::json to_json(const budget_status& status) {
  const auto& t = status.thresholds;
  return {{"max_tokens", status.max_tokens},
          {"reserved_tokens", status.reserved_tokens},
          {"available", status.available},
          {"used", status.used},
          {"reserved_by_reservations", status.reserved_by_reservations},
          {"remaining", status.remaining},
          {"percent", status.percent},
          {"level", to_string(status.level)},
          {"thresholds",
           {{"caution", t.caution},
            {"warning", t.warning},
            {"critical", t.critical},
            {"overflow", t.overflow}}}};
}

nlohmann::json to_json(const budget_check& check) {
  return {{"fits", check.fits},
          {"used_after", check.used_after},
          {"level_after", to_string(check.level_after)},
          {"changes_level", check.changes_level},
          {"remaining_after", check.remaining_after}};
}

std::vector<std::string> recommendations(budget_level level) {
  switch (level) {
  case budget_level::normal:
    return {"Work as usual: the context has room.",
            "Record decisions and important context as memory entries when they happen."};
  case budget_level::caution:
    return {"Keep answers concise and load only the knowledge the task needs (set a token "
            "budget on context requests).",
            "Record key decisions now, while their details are still in the context.",
            "Give scratch notes ephemeral priority so they are the first to go."};
  case budget_level::warning:
    return {"Checkpoint the session (`sage session checkpoint`) so the work can be resumed.",
            "Search and load single sections instead of whole layers.",
            "Raise the priority of entries that must survive summarising (high or above)."};
  case budget_level::critical:
    return {"The oldest low and normal priority conversation and context entries are being "
            "summarised into one summary entry.",
            "Prepare a handoff (`sage session handoff`) in case the context has to restart.",
            "Add only what the next step needs."};
  case budget_level::overflow:
    return {"Ephemeral, then low priority entries are being pruned until usage is below "
            "critical.",
            "Hand off now: continue in a new context from `sage session handoff`.",
            "Add nothing more until usage is below critical."};
  }
  return {};
}

std::string render_status_markdown(const budget_status& status, std::string_view session) {
  // Percent with one decimal from integers, so the report never shows 70.0 for 69.99...
  auto percent = [&](size_t tokens) {
    if (status.available == 0) return std::string{tokens == 0 ? "0.0" : "100.0"};
    auto tenths = static_cast<unsigned __int128>(tokens) * 1000 / status.available;
    return std::to_string(static_cast<size_t>(tenths / 10)) + "." +
           std::to_string(static_cast<size_t>(tenths % 10));
  };
  std::string out = "## Token budget";
  if (!session.empty()) out += " of session " + std::string{session};
  out += ": " + upper(to_string(status.level)) + "\n\n";
  out += "| | tokens |\n| --- | ---: |\n";
  auto row = [&](const std::string& name, const std::string& value) {
    out += "| " + name + " | " + value + " |\n";
  };
  row("max", std::to_string(status.max_tokens));
  row("reserved for the answer", std::to_string(status.reserved_tokens));
  row("available", std::to_string(status.available));
  row("used", std::to_string(status.used) + " (" + percent(status.used) + " %)");
  row("held by reservations", std::to_string(status.reserved_by_reservations));
  row("remaining", std::to_string(status.remaining));
  out += "\nLevels start at";
  for (auto level : all_levels) {
    if (level == budget_level::normal) continue;
    out += std::string{level == budget_level::caution ? " " : ", "} + to_string(level) + " " +
           std::to_string(tokens_at(level, status.available, status.thresholds));
  }
  out += " tokens.\n\n### Recommendations\n\n";
  for (const auto& line : recommendations(status.level))
    out += "- " + line + "\n";
  return out;
}

// -- choosing entries to summarise or prune ---------------------------------------------------

namespace {

bool older(const budget_entry* a, const budget_entry* b) {
  return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
}

/// Takes candidates in order until `usage_after(taken tokens)` is below the target level.
/// `usage_after` may rise at first (a summary costs tokens), so all candidates are taken when
/// none suffices, provided that lowers the usage.
template <class UsageAfter>
budget_selection take_until_below(const std::vector<const budget_entry*>& candidates,
                                  const budget_status& status, budget_level target,
                                  UsageAfter usage_after) {
  budget_selection sel;
  const auto limit = tokens_at(target, status.available, status.thresholds);
  sel.used_after = status.used;
  sel.level_after = status.level;
  if (status.used < limit) {
    sel.enough = true;
    return sel;
  }
  size_t taken = 0;
  std::vector<std::string> ids;
  for (const auto* entry : candidates) {
    taken += entry->tokens;
    ids.push_back(entry->id);
    if (usage_after(taken) < limit) {
      sel.enough = true;
      break;
    }
  }
  if (!ids.empty() && usage_after(taken) < status.used) {
    sel.ids = std::move(ids);
    sel.tokens = taken;
    sel.used_after = usage_after(taken);
    sel.level_after = level_of(sel.used_after, status.available, status.thresholds);
  }
  return sel;
}

} // namespace

budget_selection pick_for_summary(const std::vector<budget_entry>& entries,
                                  const budget_status& status, size_t summary_tokens,
                                  budget_level target) {
  std::vector<const budget_entry*> candidates;
  for (const auto& e : entries)
    if ((e.type == "conversation" || e.type == "context") && !e.is_summarized &&
        e.priority > ephemeral_priority && e.priority <= normal_priority)
      candidates.push_back(&e);
  std::sort(candidates.begin(), candidates.end(), older);
  return take_until_below(candidates, status, target, [&](size_t taken) {
    return saturating_sub(status.used, taken) + summary_tokens;
  });
}

budget_selection pick_for_prune(const std::vector<budget_entry>& entries,
                                const budget_status& status, budget_level target) {
  std::vector<const budget_entry*> candidates;
  for (const auto& e : entries)
    if (!e.is_summarized && e.priority <= low_priority) candidates.push_back(&e);
  std::sort(candidates.begin(), candidates.end(), [](const auto* a, const auto* b) {
    bool a_ephemeral = a->priority <= ephemeral_priority;
    bool b_ephemeral = b->priority <= ephemeral_priority;
    return a_ephemeral != b_ephemeral ? a_ephemeral : older(a, b);
  });
  return take_until_below(candidates, status, target,
                          [&](size_t taken) { return saturating_sub(status.used, taken); });
}

// -- summaries --------------------------------------------------------------------------

namespace {

/// Words that say little about a text's subject; left out of sentence scores.
const std::set<std::string, std::less<>>& stop_words() {
  static const std::set<std::string, std::less<>> words{
      "a",      "about",   "above",  "after",   "again", "against", "all",   "also",    "am",
      "an",     "and",     "any",    "are",     "as",    "at",      "be",    "because", "been",
      "before", "being",   "below",  "between", "both",  "but",     "by",    "can",     "could",
      "did",    "do",      "does",   "doing",   "down",  "during",  "each",  "few",     "for",
      "from",   "further", "had",    "has",     "have",  "having",  "he",    "her",     "here",
      "hers",   "him",     "his",    "how",     "i",     "if",      "in",    "into",    "is",
      "it",     "its",     "just",   "may",     "me",    "might",   "more",  "most",    "must",
      "my",     "no",      "nor",    "not",     "now",   "of",      "off",   "on",      "once",
      "only",   "or",      "other",  "our",     "ours",  "out",     "over",  "own",     "s",
      "same",   "she",     "should", "so",      "some",  "such",    "t",     "than",    "that",
      "the",    "their",   "theirs", "them",    "then",  "there",   "these", "they",    "this",
      "those",  "through", "to",     "too",     "under", "until",   "up",    "us",      "very",
      "was",    "we",      "were",   "what",    "when",  "where",   "which", "while",   "who",
      "whom",   "why",     "will",   "with",    "would", "you",     "your",  "yours"};
  return words;
}

std::string normalise_space(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/// Unicode sentence rules end a sentence at every line break; memory content is often hard
/// wrapped, so a single line break becomes a space unless the next line starts a Markdown block
/// (a list item, heading, quote or table row). Blank lines still end a sentence.
std::string join_wrapped_lines(std::string_view text) {
  std::string out{text};
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != '\n') continue;
    bool blank_before = i > 0 && (out[i - 1] == '\n' || out[i - 1] == '\r');
    size_t next = i + 1;
    while (next < out.size() && (out[next] == ' ' || out[next] == '\t'))
      ++next;
    bool blank_after = next >= out.size() || out[next] == '\n' || out[next] == '\r';
    bool block_start =
        !blank_after && std::string_view{"-*+#>|"}.find(out[next]) != std::string_view::npos;
    if (!blank_before && !blank_after && !block_start) {
      out[i] = ' ';
      if (i > 0 && out[i - 1] == '\r') out[i - 1] = ' ';
    }
  }
  return out;
}

/// Sentence boundaries by the ICU sentence break iterator (UAX #29) with the English
/// abbreviation suppressions (`ss=standard`), on UTF-8 directly (its indexes are byte offsets).
std::vector<std::string> sentences_of(icu::BreakIterator& it, std::string_view original) {
  std::vector<std::string> out;
  const auto joined = join_wrapped_lines(original);
  const std::string_view text{joined};
  if (text.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) return out;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, decltype(&utext_close)> ut(
      utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status),
      &utext_close);
  if (U_FAILURE(status)) return {normalise_space(text)};
  it.setText(ut.get(), status);
  if (U_FAILURE(status)) return {normalise_space(text)};
  for (int32_t start = it.first(), end = it.next(); end != icu::BreakIterator::DONE;
       start = end, end = it.next()) {
    auto sentence =
        normalise_space(text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    if (!sentence.empty()) out.push_back(std::move(sentence));
  }
  return out;
}

std::unique_ptr<icu::BreakIterator> make_sentence_iterator() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it{
      icu::BreakIterator::createSentenceInstance(icu::Locale{"en@ss=standard"}, status)};
  if (U_FAILURE(status)) return nullptr;
  return it;
}

/// The lower-cased words (letters or numbers) of `sentence`, stop words left out.
std::vector<std::string> content_words(icu::BreakIterator& words, std::string_view sentence) {
  std::vector<std::string> out;
  auto text = icu::UnicodeString::fromUTF8(
      icu::StringPiece{sentence.data(), static_cast<int32_t>(sentence.size())});
  text.toLower(icu::Locale::getRoot());
  words.setText(text);
  for (int32_t start = words.first(), end = words.next(); end != icu::BreakIterator::DONE;
       start = end, end = words.next()) {
    if (words.getRuleStatus() < UBRK_WORD_NUMBER) continue; // spaces and punctuation
    std::string word;
    text.tempSubStringBetween(start, end).toUTF8String(word);
    if (!stop_words().contains(word)) out.push_back(std::move(word));
  }
  return out;
}

struct scored_sentence {
  size_t source = 0;
  std::string text;
  std::string line; ///< `[source] text`
  double score = 0;
};

} // namespace

std::vector<std::string> split_sentences(std::string_view text) {
  auto it = make_sentence_iterator();
  if (!it) return {normalise_space(text)};
  return sentences_of(*it, text);
}

std::string extractive_summary(const std::vector<std::string>& contents, size_t max_tokens,
                               const token_counter& counter) {
  auto sentence_it = make_sentence_iterator();
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> word_it{
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status)};
  if (!sentence_it || U_FAILURE(status)) return {};

  std::vector<scored_sentence> sentences;
  std::vector<std::vector<std::string>> words_of;
  std::map<std::string, size_t, std::less<>> frequency;
  for (size_t i = 0; i < contents.size(); ++i) {
    for (auto& text : sentences_of(*sentence_it, contents[i])) {
      auto words = content_words(*word_it, text);
      for (const auto& w : words)
        ++frequency[w];
      scored_sentence s;
      s.source = i;
      s.line = "[" + std::to_string(i) + "] " + text;
      s.text = std::move(text);
      sentences.push_back(std::move(s));
      words_of.push_back(std::move(words));
    }
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    double sum = 0;
    for (const auto& w : words_of[i])
      sum += static_cast<double>(frequency[w]);
    sentences[i].score = words_of[i].empty() ? 0.0 : sum / static_cast<double>(words_of[i].size());
  }

  // Best first; equal scores keep the earlier sentence.
  std::vector<size_t> by_score(sentences.size());
  for (size_t i = 0; i < by_score.size(); ++i)
    by_score[i] = i;
  std::stable_sort(by_score.begin(), by_score.end(),
                   [&](size_t a, size_t b) { return sentences[a].score > sentences[b].score; });
  std::vector<size_t> chosen;
  size_t total = 0;
  for (auto i : by_score) {
    auto cost = counter.count(sentences[i].line + "\n");
    if (total + cost > max_tokens) continue;
    total += cost;
    chosen.push_back(i);
  }

  // Counts of lines add up almost, not exactly, to the count of the joined text: drop the
  // lowest-scored chosen sentence until the whole fits.
  auto render = [&](std::vector<size_t> picked) {
    std::sort(picked.begin(), picked.end());
    std::string out;
    for (auto i : picked)
      out += (out.empty() ? "" : "\n") + sentences[i].line;
    return out;
  };
  auto out = render(chosen);
  while (!chosen.empty() && counter.count(out) > max_tokens) {
    chosen.pop_back();
    out = render(chosen);
  }
  return out;
}

} // namespace sage::core
