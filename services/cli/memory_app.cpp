// The `memory`, `session` and `budget` subcommands: their arguments and flags.
// SPDX-License-Identifier: MIT
#include "services/cli/catalogue_options.hpp"
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

/// The filters that `list` and `search` share: the parameters of memory_search.
void add_filters(CLI::App* cmd, memory_args& a) {
  const auto& op = cli_catalogue().at("memory_search");
  add_parameter(cmd, op, "session_id", a.session_id);
  add_optional_parameter(cmd, op, "type", a.type);
  add_parameter(cmd, op, "tags", a.tags);
  add_parameter(cmd, op, "tags_all", a.tags_all);
  add_parameter(cmd, op, "all_tags", a.all_tags);
  add_optional_parameter(cmd, op, "min_priority", a.min_priority);
  add_optional_parameter(cmd, op, "max_priority", a.max_priority);
  add_parameter(cmd, op, "order", a.order);
  add_parameter(cmd, op, "ascending", a.ascending);
  add_parameter(cmd, op, "limit", a.limit);
  add_parameter(cmd, op, "cursor", a.cursor);
  add_parameter(cmd, op, "include_summarized", a.include_summarized);
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

  const auto& ops = cli_catalogue();
  const auto& add_op = ops.at("memory_add");
  auto* add = add_operation_command(*memory, "memory_add");
  add_parameter(add, add_op, "content", a->content);
  add_optional_parameter(add, add_op, "type", a->type);
  add_optional_parameter(add, add_op, "priority", a->priority);
  add_parameter(add, add_op, "session_id", a->session_id);
  add_parameter(add, add_op, "task_id", a->task_id);
  add_parameter(add, add_op, "tags", a->tags);
  add_optional_parameter(add, add_op, "metadata", a->metadata);
  on(add, run_memory_add);

  auto* get = add_operation_command(*memory, "memory_get");
  add_parameter(get, ops.at("memory_get"), "id", a->id);
  on(get, run_memory_get);

  auto* list = memory->add_subcommand("list", "memory_search without words: entries, newest "
                                              "first, one page at a time");
  add_filters(list, *a);
  on(list, [](session& s, const output& o, const memory_args& a) {
    return run_memory_list(s, o, a, false);
  });

  auto* search = add_operation_command(*memory, "memory_search");
  add_parameter(search, ops.at("memory_search"), "query", a->text)->required();
  add_filters(search, *a);
  on(search, [](session& s, const output& o, const memory_args& a) {
    return run_memory_list(s, o, a, true);
  });

  const auto& update_op = ops.at("memory_update");
  auto* update = add_operation_command(*memory, "memory_update");
  add_parameter(update, update_op, "id", a->id);
  add_optional_parameter(update, update_op, "content", a->new_content);
  add_optional_parameter(update, update_op, "priority", a->priority);
  add_optional_parameter(update, update_op, "type", a->type);
  add_parameter(update, update_op, "tags", a->tags);
  update->add_flag("--clear-tags", a->clear_tags, "remove every tag (the CLI's way to pass [])");
  add_optional_parameter(update, update_op, "metadata", a->metadata);
  on(update, run_memory_update);

  auto* remove = add_operation_command(*memory, "memory_delete");
  add_parameter(remove, ops.at("memory_delete"), "id", a->id);
  on(remove, run_memory_delete);

  auto* prune = add_operation_command(*memory, "memory_prune");
  add_optional(prune, "--max-priority", a->max_priority, "priority at most this (name or 0-100)");
  add_optional(prune, "--older-than", a->older_than,
               "created longer ago than this (30d, 12h, 90m)");
  prune->add_option("-s,--session", a->session_id, "of this session");
  prune->add_flag("--retention", a->retention,
                  "instead: apply the configured memory.retention rules");
  on(prune, run_memory_prune);

  auto* exp = add_operation_command(*memory, "memory_export");
  exp->add_option("-s,--session", a->session_id, "only this session's entries");
  exp->add_option("-o,--output", a->file, "write to this file (created private, 0600)");
  on(exp, run_memory_export);

  auto* imp = add_operation_command(*memory, "memory_import");
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

  const auto& ops = cli_catalogue();
  const auto& start_op = ops.at("session_start");
  auto* start = add_operation_command(*sess, "session_start");
  add_parameter(start, start_op, "objective", a->objective)->required();
  add_parameter(start, start_op, "steps", a->steps);
  add_parameter(start, start_op, "task_id", a->task_id);
  on(start, run_session_start);

  auto* resume = add_operation_command(*sess, "session_restore");
  add_parameter(resume, ops.at("session_restore"), "checkpoint_id", a->id);
  on(resume, run_session_resume);

  const auto& update_op = ops.at("session_update");
  auto* update = add_operation_command(*sess, "session_update");
  add_parameter(update, update_op, "session_id", a->id);
  // The CLI takes a step's number or its exact text in one option (complete_step and
  // complete_step_text of the other interfaces).
  add_optional(update, "--complete-step", a->complete_step,
               "a step now done: its number (0 to 100000) or its exact text");
  add_optional_parameter(update, update_op, "last_action", a->action);
  add_optional_parameter(update, update_op, "last_result", a->result);
  add_optional_parameter(update, update_op, "decision", a->decision);
  add_optional_parameter(update, update_op, "context", a->context);
  // repeatable on the CLI: each one appends a step, in order
  add_parameter(update, update_op, "add_step", a->steps);
  on(update, run_session_update);

  const auto& checkpoint_op = ops.at("session_checkpoint");
  auto* checkpoint = add_operation_command(*sess, "session_checkpoint");
  add_parameter(checkpoint, checkpoint_op, "session_id", a->id);
  add_parameter(checkpoint, checkpoint_op, "label", a->label);
  on(checkpoint, run_session_checkpoint);

  const auto& handoff_op = ops.at("session_handoff");
  auto* handoff = add_operation_command(*sess, "session_handoff");
  add_parameter(handoff, handoff_op, "session_id", a->id);
  add_parameter(handoff, handoff_op, "max_tokens", a->max_tokens);
  on(handoff, run_session_handoff);

  auto* end = add_operation_command(*sess, "session_end");
  add_parameter(end, ops.at("session_end"), "session_id", a->id);
  on(end, run_session_end);

  const auto& status_op = ops.at("session_status");
  auto* status = add_operation_command(*sess, "session_status");
  add_parameter(status, status_op, "session_id", a->id);
  add_parameter(status, status_op, "status", a->status);
  on(status, run_session_status);
}

void register_budget_command(CLI::App& app, session& s, command_action& action) {
  auto a = std::make_shared<session_args>();
  const auto& op = cli_catalogue().at("budget_status");
  auto* budget = add_operation_command(app, "budget_status");
  add_parameter(budget, op, "session_id", a->session_id);
  add_optional_parameter(budget, op, "tokens", a->check)
      ->description("whether this many more tokens fit (exit 0 if they do, 4 if not); 0 to " +
                    std::to_string(*op.find("tokens")->maximum));
  budget->callback(
      [&s, &action, a] { action = [&s, a](const output& o) { return run_budget(s, o, *a); }; });
}

} // namespace sage::services::cli
