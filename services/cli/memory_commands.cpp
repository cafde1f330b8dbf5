// CLI commands over the working memory: add, get, list, search, update, delete, prune, export
// and import of memory entries.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/memory_support.hpp"

#include "core/bounded_read.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/json_parse.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace sage::services::cli {
namespace {

constexpr const char* entry_hint = "run `sage memory list` to see the entries";
constexpr const char* session_hint = "run `sage session status` to list sessions";
constexpr int max_page = 1000;
/// Largest import read from a file or standard input.
constexpr size_t max_import_bytes = size_t{1} << 30;
constexpr const char* too_large_hint =
    "split the content into several entries or raise memory.max_content_bytes";

core::error invalid(std::string message, std::string hint) {
  return core::make_error(core::error_code::invalid_argument, std::move(message), std::move(hint));
}

/// The first error of several checks, if any.
std::optional<core::error> first_of(std::initializer_list<std::optional<core::error>> checks) {
  for (const auto& c : checks)
    if (c) return c;
  return std::nullopt;
}

core::result<nlohmann::json> parse_metadata(const std::string& text) {
  const char* hint = "pass a JSON object, e.g. --metadata '{\"source\": \"chat\"}'";
  if (auto err = check_utf8(text, "--metadata")) return *err;
  // One level less than any JSON input: an entry holds its metadata, and an exported entry is
  // read back as one JSON document.
  core::json_limits limits;
  limits.max_depth = core::max_json_depth - 1;
  auto j = core::parse_json(text, "--metadata", limits);
  if (!j)
    return invalid(j.err().problem == core::json_problem::too_deep ? j.err().message
                                                                   : "--metadata is not valid json",
                   hint);
  if (!j->is_object()) return invalid("--metadata is not a json object", hint);
  return std::move(j).value();
}

std::optional<core::error> check_tags(const std::vector<std::string>& tags) {
  for (const auto& t : tags)
    if (auto err = first_of(
            {check_utf8(t, "tag"), check_not_blank(t, "tag", "give each --tag a word or two")}))
      return err;
  return std::nullopt;
}

/// The session id of an option: empty stays empty, anything else must be a UUID.
std::optional<core::error> check_session_option(const std::string& id) {
  if (id.empty()) return std::nullopt;
  return check_uuid(id, "session id", session_hint);
}

size_t content_limit(const runtime& rt) {
  return static_cast<size_t>(std::max(0, rt.cfg.memory_max_content_bytes));
}

/// Lines of a JSON-lines text that are not blank.
size_t count_lines(const std::string& text) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++n;
  return n;
}

/// Writes `text` to `path`, created private (0600) like the database it comes from.
std::optional<core::error> write_private_file(const std::string& path, const std::string& text) {
  auto fail = [&](int err) {
    return core::make_error(core::error_code::io,
                            "failed to write export file: " + std::string(std::strerror(err)) +
                                ", path=" + path,
                            "check that the folder exists and is writable");
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errno);
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return fail(errno);
  return std::nullopt;
}

/// The text of an import (a file, or standard input for `-`), read a line at a time: a line
/// longer than `max_line` is refused as soon as it is seen, and so is anything but a regular
/// file (a FIFO, /dev/zero). The store takes the import as one all-or-nothing batch, so the
/// accepted lines are gathered, up to `max_import_bytes` in all. Refusals are `io` errors
/// (exit 1): the input cannot be read as an import at all.
core::result<std::string> read_import(const std::string& file, size_t max_line) {
  constexpr const char* file_hint = "give the path of a file written by `sage memory export`";
  const std::string line_hint =
      "each line holds one entry; raise memory.import_max_line_bytes (now " +
      std::to_string(max_line) + ") if the entries are that large";
  core::file_handle opened;
  int fd = STDIN_FILENO;
  std::string what = "import from standard input";
  if (file != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) // a slip of the hand, as before: exit 2
      return invalid("import file is a folder, path=" + file, file_hint);
    auto f = core::open_regular_file(file, max_import_bytes, "import file");
    if (!f) {
      if (f.err().code == core::error_code::not_found)
        return core::make_error(core::error_code::not_found, "import file not found, path=" + file,
                                file_hint);
      return core::make_error(core::error_code::io, f.err().message,
                              std::string{file_hint} + "; " + f.err().hint);
    }
    opened = std::move(*f);
    fd = opened.get();
    what = "import file " + file;
  }
  core::line_reader lines{fd, max_line, what};
  std::string text;
  for (;;) {
    auto line = lines.next();
    if (!line) {
      auto err = line.err();
      err.code = core::error_code::io;
      if (err.hint.empty()) err.hint = line_hint;
      return err;
    }
    if (!*line) break;
    if (text.size() + (*line)->size() + 1 > max_import_bytes)
      return core::make_error(core::error_code::io,
                              "failed to read " + what + ": it is larger than the limit of " +
                                  std::to_string(max_import_bytes) + " bytes",
                              "split the export into several files");
    text += **line;
    text += '\n';
  }
  return text;
}

/// An entry for people: its fields as a two-column table, then the content.
void print_entry(const output& out, const core::memory_entry& e) {
  std::vector<std::vector<std::string>> rows = {
      {"id", e.id},
      {"type", core::to_string(e.type)},
      {"priority", core::priority_to_string(e.priority) +
                       (core::priority_to_string(e.priority) == std::to_string(e.priority)
                            ? ""
                            : " (" + std::to_string(e.priority) + ")")},
      {"tokens", std::to_string(e.tokens)}};
  if (!e.session_id.empty()) rows.push_back({"session", e.session_id});
  if (!e.task_id.empty()) rows.push_back({"task", e.task_id});
  if (!e.tags.empty()) {
    std::string tags;
    for (const auto& t : e.tags)
      tags += (tags.empty() ? "" : ", ") + t;
    rows.push_back({"tags", tags});
  }
  if (!e.metadata.empty())
    rows.push_back(
        {"metadata", e.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
  rows.push_back({"created", e.created_at});
  rows.push_back({"updated", e.updated_at});
  if (e.is_summarized) rows.push_back({"summarised", "yes (replaced by a summary entry)"});
  if (!e.summary_of.empty())
    rows.push_back({"summary of", std::to_string(e.summary_of.size()) + " entries"});
  for (const auto& row : rows)
    std::cout << out.dim(row[0] + std::string(12 - std::min<size_t>(11, row[0].size()), ' '))
              << row[1] << '\n';
  std::cout << '\n' << e.content << (e.content.ends_with('\n') ? "" : "\n");
}

core::result<core::memory_query> query_of(const memory_args& a, bool search) {
  core::memory_query q;
  if (auto err = check_session_option(a.session_id)) return *err;
  if (!a.session_id.empty()) q.session_id = a.session_id;
  if (a.type) {
    auto t = core::parse_memory_type(*a.type);
    if (!t) return t.err();
    q.type = *t;
  }
  if (auto err = check_tags(a.tags)) return *err;
  if (a.all_tags && a.tags.empty())
    return invalid("--all-tags needs at least one --tag", "e.g. --tag api --tag retry --all-tags");
  (a.all_tags ? q.tags_all : q.tags_any) = a.tags;
  q.tags_all.insert(q.tags_all.end(), a.tags_all.begin(), a.tags_all.end());
  for (auto [text, target] :
       {std::pair{&a.min_priority, &q.min_priority}, std::pair{&a.max_priority, &q.max_priority}}) {
    if (!*text) continue;
    auto p = core::parse_priority(**text);
    if (!p) return p.err();
    *target = *p;
  }
  if (q.min_priority && q.max_priority && *q.min_priority > *q.max_priority)
    return invalid("--min-priority is above --max-priority",
                   "give a range such as --min-priority NORMAL --max-priority CRITICAL");
  auto order = core::parse_memory_order(a.order);
  if (!order) return order.err();
  q.order_by = *order;
  q.descending = !a.ascending;
  if (a.limit < 1 || a.limit > max_page)
    return invalid("--limit must be from 1 to " + std::to_string(max_page),
                   "page through more with --cursor");
  q.limit = static_cast<size_t>(a.limit);
  if (auto err = check_utf8(a.cursor, "--cursor")) return *err;
  q.cursor = a.cursor;
  if (!a.include_summarized) q.is_summarized = false;
  if (search) {
    if (auto err = first_of({check_not_blank(a.text, "search text",
                                             "give words to find, e.g. `sage memory search retry`"),
                             check_utf8(a.text, "search text")}))
      return *err;
    q.text = a.text;
  }
  return q;
}

} // namespace

int run_memory_add(session& s, const output& out, const memory_args& a) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto content =
      text_argument(a.content, content_limit(**rt), "memory entry content", too_large_hint);
  if (!content) return out.fail(content.err());
  core::memory_entry e;
  if (auto err = first_of(
          {check_not_blank(*content, "memory entry content",
                           "give the text to remember, or `-` to read it from standard input"),
           check_utf8(*content, "memory entry content"), check_session_option(a.session_id),
           check_utf8(a.task_id, "task id"), check_tags(a.tags)}))
    return out.fail(*err);
  e.content = std::move(*content);
  if (a.type) {
    auto t = core::parse_memory_type(*a.type);
    if (!t) return out.fail(t.err());
    e.type = *t;
  }
  if (a.priority) {
    auto p = core::parse_priority(*a.priority);
    if (!p) return out.fail(p.err());
    e.priority = *p;
  }
  if (a.metadata) {
    auto m = parse_metadata(*a.metadata);
    if (!m) return out.fail(m.err());
    e.metadata = std::move(*m);
  }
  e.session_id = a.session_id;
  e.task_id = a.task_id;
  e.tags = a.tags;
  auto& calls = (*rt)->calls();
  // An entry of a session counts against its budget, so the session must exist.
  if (!e.session_id.empty())
    if (auto found = calls.session_status(e.session_id); !found) return out.fail(found.err());
  auto added = calls.memory_add(std::move(e));
  if (!added) return out.fail(added.err());
  if (out.json()) {
    out.print_json(core::to_json(*added));
    return ok;
  }
  std::cout << added->id << '\n';
  out.note(out.dim("-- added a " + std::string(core::to_string(added->type)) + " entry, " +
                   std::to_string(added->tokens) + " tokens"));
  return ok;
}

int run_memory_get(session& s, const output& out, const memory_args& a) {
  if (auto err = check_uuid(a.id, "memory entry id", entry_hint)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto entry = (*rt)->calls().memory_get(a.id);
  if (!entry) return out.fail(entry.err());
  if (out.json())
    out.print_json(core::to_json(*entry));
  else
    print_entry(out, *entry);
  return ok;
}

int run_memory_list(session& s, const output& out, const memory_args& a, bool search) {
  auto q = query_of(a, search);
  if (!q) return out.fail(q.err());
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto page = (*rt)->calls().memory_query(std::move(*q));
  if (!page) return out.fail(page.err());
  if (out.json()) {
    auto entries = nlohmann::json::array();
    for (const auto& e : page->entries)
      entries.push_back(core::to_json(e));
    out.print_json(
        {{"entries", std::move(entries)},
         {"count", page->entries.size()},
         {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr)
                                                   : nlohmann::json(page->next_cursor)}});
    return ok;
  }
  if (page->entries.empty()) {
    out.note(search ? "no entries match \"" + a.text + "\"" : "no entries");
    return ok;
  }
  std::vector<std::string> header = {"id", "type", "priority", "tokens", "created"};
  if (a.include_summarized) header.push_back("summarised");
  header.push_back("content");
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : page->entries) {
    std::vector<std::string> row = {e.id, core::to_string(e.type),
                                    core::priority_to_string(e.priority), std::to_string(e.tokens),
                                    short_time(e.created_at)};
    if (a.include_summarized) row.push_back(e.is_summarized ? "yes" : "no");
    row.push_back(preview(e.content, 48));
    rows.push_back(std::move(row));
  }
  out.table(header, rows);
  auto summary = count_of(page->entries.size(), "entry", "entries");
  if (!page->next_cursor.empty()) summary += "; more with --cursor " + page->next_cursor;
  out.note(out.dim("-- " + summary));
  return ok;
}

int run_memory_update(session& s, const output& out, const memory_args& a) {
  if (auto err = check_uuid(a.id, "memory entry id", entry_hint)) return out.fail(*err);
  if (a.clear_tags && !a.tags.empty())
    return out.fail(invalid("--clear-tags and --tag together",
                            "--tag already replaces every tag; --clear-tags removes them all"));
  if (auto err = check_tags(a.tags)) return out.fail(*err);
  core::memory_update change;
  if (a.priority) {
    auto p = core::parse_priority(*a.priority);
    if (!p) return out.fail(p.err());
    change.priority = *p;
  }
  if (a.type) {
    auto t = core::parse_memory_type(*a.type);
    if (!t) return out.fail(t.err());
    change.type = *t;
  }
  if (a.clear_tags)
    change.tags = std::vector<std::string>{};
  else if (!a.tags.empty())
    change.tags = a.tags;
  if (a.metadata) {
    auto m = parse_metadata(*a.metadata);
    if (!m) return out.fail(m.err());
    change.metadata = std::move(*m);
  }
  if (!a.new_content && !change.priority && !change.type && !change.tags && !change.metadata)
    return out.fail(
        invalid("nothing to update",
                "give --content, --priority, --type, --tag, --clear-tags or --metadata"));
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  if (a.new_content) {
    auto content =
        text_argument(*a.new_content, content_limit(**rt), "memory entry content", too_large_hint);
    if (!content) return out.fail(content.err());
    if (auto err = first_of({check_not_blank(*content, "memory entry content",
                                             "give the new text, or `-` to read it from "
                                             "standard input"),
                             check_utf8(*content, "memory entry content")}))
      return out.fail(*err);
    change.content = std::move(*content);
  }
  auto updated = (*rt)->calls().memory_update(a.id, std::move(change));
  if (!updated) return out.fail(updated.err());
  if (out.json())
    out.print_json(core::to_json(*updated));
  else
    print_entry(out, *updated);
  return ok;
}

int run_memory_delete(session& s, const output& out, const memory_args& a) {
  if (auto err = check_uuid(a.id, "memory entry id", entry_hint)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto deleted = (*rt)->calls().memory_delete(a.id);
  if (!deleted) return out.fail(deleted.err());
  if (out.json())
    out.print_json({{"deleted", *deleted}});
  else
    std::cout << "deleted " << *deleted << '\n';
  return ok;
}

int run_memory_prune(session& s, const output& out, const memory_args& a) {
  bool filtered = a.max_priority || a.older_than || !a.session_id.empty();
  core::prune_filter filter;
  if (a.retention) {
    if (filtered)
      return out.fail(invalid("--retention cannot be combined with --max-priority, "
                              "--older-than or --session",
                              "run the two prunes one after the other"));
  } else {
    if (!filtered)
      return out.fail(invalid("prune needs at least one criterion",
                              "give --max-priority, --older-than or --session, or --retention to "
                              "apply the memory.retention rules"));
    if (auto err = check_session_option(a.session_id)) return out.fail(*err);
    if (!a.session_id.empty()) filter.session_id = a.session_id;
    if (a.max_priority) {
      auto p = core::parse_priority(*a.max_priority);
      if (!p) return out.fail(p.err());
      filter.max_priority = *p;
    }
    if (a.older_than) {
      auto d = core::parse_duration(*a.older_than);
      if (!d)
        return out.fail(invalid("invalid duration `" + preview(*a.older_than, 40) +
                                    "` for --older-than: " + d.err().message,
                                "use e.g. 30d, 12h, 90m, 2s or plain milliseconds"));
      filter.older_than = std::chrono::system_clock::now() - *d;
    }
  }
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto& calls = (*rt)->calls();
  auto removed = a.retention ? calls.memory_retain() : calls.memory_prune(std::move(filter));
  if (!removed) return out.fail(removed.err());
  if (out.json()) {
    out.print_json({{"pruned", *removed}, {"count", removed->size()}});
    return ok;
  }
  std::cout << "pruned " << count_of(removed->size(), "entry", "entries") << '\n';
  return ok;
}

int run_memory_export(session& s, const output& out, const memory_args& a) {
  if (auto err = check_session_option(a.session_id)) return out.fail(*err);
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto text = (*rt)->calls().memory_export(a.session_id);
  if (!text) return out.fail(text.err());
  auto count = count_lines(*text);
  if (!a.file.empty() && a.file != "-") {
    if (auto err = write_private_file(a.file, *text)) return out.fail(*err);
    if (out.json())
      out.print_json({{"exported", count}, {"path", a.file}});
    else
      std::cout << "exported " << count_of(count, "entry", "entries") << " to " << a.file << '\n';
    return ok;
  }
  if (!out.json()) {
    out.data() << *text;
    out.note(out.dim("-- exported " + count_of(count, "entry", "entries")));
    return ok;
  }
  auto entries = nlohmann::json::array();
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      auto entry = core::parse_stored_json(line);
      entries.push_back(entry.is_discarded() ? nlohmann::json(nullptr) : std::move(entry));
    }
  out.print_json({{"entries", std::move(entries)}, {"count", count}});
  return ok;
}

int run_memory_import(session& s, const output& out, const memory_args& a) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto text = read_import(
      a.file, static_cast<size_t>(std::max(0, (*rt)->cfg.memory_import_max_line_bytes)));
  if (!text) return out.fail(text.err());
  auto report = (*rt)->calls().memory_import(std::move(*text));
  if (!report) {
    auto err = report.err();
    // A bad line is bad input, not a failure of the store.
    if (err.code == core::error_code::parse) err.code = core::error_code::invalid_argument;
    return out.fail(err);
  }
  if (out.json()) {
    out.print_json({{"imported", report->imported}, {"skipped", report->skipped}});
    return ok;
  }
  std::cout << "imported " << report->imported << ", skipped " << report->skipped
            << " already present\n";
  return ok;
}

} // namespace sage::services::cli
