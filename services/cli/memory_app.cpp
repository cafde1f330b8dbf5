// The `memory`, `session` and `budget` subcommands: their arguments and flags.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <memory>

namespace sage::services::cli {
namespace {

/// A flag whose value is kept only when given, so that "not given" differs from any value.
template <class T>
CLI::Option* add_optional(CLI::App* cmd, const std::string& name, std::optional<T>& target,
                          const std::string& help) {
  return cmd->add_option_function<T>(
      name, [&target](const T& value) { target = value; }, help);
}

/// The filters that `list` and `search` share.
void add_filters(CLI::App* cmd, memory_args& a) {
  cmd->add_option("-s,--session", a.session_id, "only entries of this session");
  add_optional(cmd, "--type", a.type, "only entries of this type");
  cmd->add_option("-t,--tag", a.tags, "only entries with any of these tags (repeatable)");
  cmd->add_flag("--all-tags", a.all_tags, "only entries with every --tag");
  add_optional(cmd, "--min-priority", a.min_priority, "priority at least this (name or 0-100)");
  add_optional(cmd, "--max-priority", a.max_priority, "priority at most this (name or 0-100)");
  cmd->add_option("--order", a.order, "created (default), updated or priority");
  cmd->add_flag("--asc", a.ascending, "oldest or lowest first (default: newest or highest)");
  cmd->add_option("-n,--limit", a.limit, "entries per page, 1-1000 (default 50)");
  cmd->add_option("--cursor", a.cursor, "the next page: the cursor the previous page printed");
  cmd->add_flag("--include-summarized", a.include_summarized,
                "also entries a summary has replaced (hidden by default)");
}

} // namespace

void register_memory_commands(CLI::App& app, session& s, command_action& action) {
  auto a = std::make_shared<memory_args>();
  auto* memory = app.add_subcommand("memory", "the working memory: entries of sessions and tasks");
  memory->require_subcommand(1);
  auto on = [&s, &action, a](CLI::App* cmd, auto run) {
    cmd->callback([&s, &action, a, run] {
      action = [&s, a, run](const output& o) { return run(s, o, *a); };
    });
  };

  auto* add = memory->add_subcommand("add", "remember a text; prints the new entry's id");
  add->add_option("content", a->content, "the text, or - to read it from standard input")
      ->required();
  add_optional(add, "--type", a->type,
               "conversation, decision, context (default), summary, checkpoint or artifact");
  add_optional(add, "-p,--priority", a->priority,
               "EPHEMERAL, LOW, NORMAL (default), HIGH, CRITICAL, PERMANENT or 0-100");
  add->add_option("-s,--session", a->session_id,
                  "the session it belongs to (counts to its budget)");
  add->add_option("--task", a->task_id, "the task it belongs to");
  add->add_option("-t,--tag", a->tags, "a tag (repeatable)");
  add_optional(add, "--metadata", a->metadata, "a JSON object, e.g. '{\"source\": \"chat\"}'");
  on(add, run_memory_add);

  auto* get = memory->add_subcommand("get", "one entry");
  get->add_option("id", a->id, "the entry's id")->required();
  on(get, run_memory_get);

  auto* list = memory->add_subcommand("list", "entries, newest first, one page at a time");
  add_filters(list, *a);
  on(list, [](session& s, const output& o, const memory_args& a) {
    return run_memory_list(s, o, a, false);
  });

  auto* search = memory->add_subcommand("search", "entries containing every one of the words");
  search->add_option("text", a->text, "the words")->required();
  add_filters(search, *a);
  on(search, [](session& s, const output& o, const memory_args& a) {
    return run_memory_list(s, o, a, true);
  });

  auto* update = memory->add_subcommand("update", "change an entry; prints it");
  update->add_option("id", a->id, "the entry's id")->required();
  add_optional(update, "--content", a->new_content,
               "new text, or - to read it from standard input");
  add_optional(update, "-p,--priority", a->priority, "new priority (name or 0-100)");
  add_optional(update, "--type", a->type, "new type");
  update->add_option("-t,--tag", a->tags, "new tags, replacing all (repeatable)");
  update->add_flag("--clear-tags", a->clear_tags, "remove every tag");
  add_optional(update, "--metadata", a->metadata,
               "a JSON merge patch over the metadata: keys set, null removes a key");
  on(update, run_memory_update);

  auto* remove = memory->add_subcommand("delete", "delete an entry");
  remove->add_option("id", a->id, "the entry's id")->required();
  on(remove, run_memory_delete);

  auto* prune = memory->add_subcommand(
      "prune", "delete the entries matching every criterion given (never PERMANENT ones)");
  add_optional(prune, "--max-priority", a->max_priority, "priority at most this (name or 0-100)");
  add_optional(prune, "--older-than", a->older_than,
               "created longer ago than this (30d, 12h, 90m)");
  prune->add_option("-s,--session", a->session_id, "of this session");
  prune->add_flag("--retention", a->retention,
                  "instead: apply the configured memory.retention rules");
  on(prune, run_memory_prune);

  auto* exp = memory->add_subcommand("export", "entries as JSON lines, oldest first");
  exp->add_option("-s,--session", a->session_id, "only this session's entries");
  exp->add_option("-o,--output", a->file, "write to this file (created private, 0600)");
  on(exp, run_memory_export);

  auto* imp = memory->add_subcommand(
      "import", "add the entries of an export; ids already present are skipped");
  imp->add_option("file", a->file, "a file written by `sage memory export`, or - for stdin")
      ->required();
  on(imp, run_memory_import);
}

void register_session_commands(CLI::App& app, session& s, command_action& action) {
  auto a = std::make_shared<session_args>();
  auto* sess = app.add_subcommand("session", "working sessions: plan, progress, checkpoints");
  sess->require_subcommand(1);
  auto on = [&s, &action, a](CLI::App* cmd, auto run) {
    cmd->callback([&s, &action, a, run] {
      action = [&s, a, run](const output& o) { return run(s, o, *a); };
    });
  };

  auto* start = sess->add_subcommand("start", "start a session; prints its id");
  start->add_option("objective", a->objective, "what the session is meant to achieve")->required();
  start->add_option("--step", a->steps, "a step of the plan (repeatable, in order)");
  start->add_option("--task", a->task_id, "the task it works on");
  on(start, run_session_start);

  auto* resume =
      sess->add_subcommand("resume", "bring a session and its memory entries back to a checkpoint");
  resume->add_option("checkpoint", a->id, "the checkpoint's id")->required();
  on(resume, run_session_resume);

  auto* update = sess->add_subcommand("update", "record progress; prints the session");
  update->add_option("id", a->id, "the session's id")->required();
  add_optional(update, "--complete-step", a->complete_step,
               "a step now done: its number (from 0) or its exact text");
  add_optional(update, "--action", a->action, "the last action taken");
  add_optional(update, "--result", a->result, "the result of the last action");
  add_optional(update, "--decision", a->decision, "a decision, kept as a HIGH memory entry");
  add_optional(update, "--context", a->context, "context to keep, as a memory entry");
  update->add_option("--add-step", a->steps, "a step to append to the plan (repeatable)");
  on(update, run_session_update);

  auto* checkpoint = sess->add_subcommand(
      "checkpoint", "save the session and its memory entries; prints the checkpoint's id");
  checkpoint->add_option("id", a->id, "the session's id")->required();
  checkpoint->add_option("-l,--label", a->label, "a name for the checkpoint");
  on(checkpoint, run_session_checkpoint);

  auto* handoff = sess->add_subcommand(
      "handoff", "a Markdown continuation prompt for whoever carries on, within a token budget");
  handoff->add_option("id", a->id, "the session's id")->required();
  handoff->add_option("--max-tokens", a->max_tokens, "at most this many tokens (default 2000)");
  on(handoff, run_session_handoff);

  auto* end = sess->add_subcommand("end", "end a session");
  end->add_option("id", a->id, "the session's id")->required();
  on(end, run_session_end);

  auto* status = sess->add_subcommand(
      "status", "a session with its steps, checkpoints and budget; without an id, the sessions");
  status->add_option("id", a->id, "the session's id");
  status->add_option("--status", a->status, "list only active or ended sessions")
      ->check(CLI::IsMember({"active", "ended"}));
  on(status, run_session_status);
}

void register_budget_command(CLI::App& app, session& s, command_action& action) {
  auto a = std::make_shared<session_args>();
  auto* budget = app.add_subcommand(
      "budget", "a session's token budget: level, numbers and advice; without --session, every "
                "active session");
  budget->add_option("-s,--session", a->session_id, "the session");
  add_optional(budget, "--check", a->check,
               "whether this many more tokens fit (exit 0 if they do, 4 if not)");
  budget->callback(
      [&s, &action, a] { action = [&s, a](const output& o) { return run_budget(s, o, *a); }; });
}

} // namespace sage::services::cli
