// The session operations: start, update, steps, checkpoints, handoff, end, status and lists.
// SPDX-License-Identifier: MIT
#include "core/catalogue/declare.hpp"

#include "core/catalogue/schema.hpp"
#include "core/session_limits.hpp"

namespace sage::core::catalogue {
namespace {

using enum interface_kind;
namespace limits = session_limits;

param session_id() {
  return param::text("session_id", "the session's id (a UUID, from session_start)")
      .nonempty()
      .needed()
      .positional();
}

param checkpoint_id() {
  return param::text("checkpoint_id", "the checkpoint's id (a UUID)")
      .nonempty()
      .needed()
      .positional();
}

param page_limit() {
  return param::integer("limit", "sessions per page", 1, static_cast<int64_t>(limits::max_page))
      .fallback(static_cast<int64_t>(limits::default_page));
}

param list_status() {
  return param::choice("status", "which sessions", {"active", "ended", "all"}).fallback("all");
}

json checkpoint_list_schema() {
  return object_result({{"checkpoints", {{"type", "array"}, {"items", checkpoint_schema()}}},
                        {"count", {{"type", "integer"}}}},
                       {"checkpoints", "count"});
}

} // namespace

void declare_sessions(std::vector<operation>& out, const config&) {
  out.push_back({
      .name = "session_start",
      .area = "sessions",
      .title = "Start a session",
      .summary = "start a session with an objective and planned steps, or resume one from a "
                 "checkpoint",
      .description = "Begin a working session with an objective and planned steps (or resume "
                     "one from a checkpoint id). Returns the session and its id, which memory, "
                     "budget and other session tools take.",
      .parameters = {param::text("objective", "what the session is to achieve",
                                 limits::max_objective_bytes)
                         .positional(),
                     param::texts("steps", "planned steps, in order", limits::max_steps,
                                  limits::max_step_bytes)
                         .alias("step"),
                     param::text("task_id", "an id of the task, if any", limits::max_task_id_bytes)
                         .alias("task"),
                     param::text("checkpoint_id", "resume from this checkpoint instead")
                         .without({cli},
                                  "sage session resume CHECKPOINT resumes from a checkpoint")},
      .result = session_schema(),
      .timeout = timeout_level::t2,
      .cli_command = "session start",
      .mcp = true,
      .http = http_binding{"POST", "/v1/sessions", 201},
      .mcp_result_member = "session",
  });

  out.push_back({
      .name = "session_update",
      .area = "sessions",
      .title = "Update a session",
      .summary = "record progress: a step done, the last action and result, a decision, context",
      .description = "Record progress: mark a step done (by 0-based index or exact text), add "
                     "a step, set the last action and result, record a decision or context "
                     "(stored as memory entries). Pass the session id and at least one change.",
      .parameters =
          {session_id(),
           param::integer("complete_step", "0-based index of a step now done", 0, 100000),
           param::text("complete_step_text", "text of a step now done", limits::max_step_bytes)
               .nonempty()
               .without({cli}, "--complete-step takes a step's number or its exact text"),
           param::text("add_step", "a new step to append", limits::max_step_bytes)
               .nonempty()
               .without({http}, "POST /v1/sessions/{session_id}/steps appends a step"),
           param::text("last_action", "what was just done", limits::max_progress_bytes)
               .alias("action"),
           param::text("last_result", "what came of it", limits::max_progress_bytes)
               .alias("result"),
           param::text("decision", "a decision to remember (a HIGH memory entry)").nonempty(),
           param::text("context", "context to remember (a memory entry)").nonempty()},
      .result = session_schema(),
      .timeout = timeout_level::t2,
      .cli_command = "session update",
      .mcp = true,
      .http = http_binding{"PATCH", "/v1/sessions/{session_id}"},
      .mcp_result_member = "session",
  });

  out.push_back({
      .name = "session_add_step",
      .area = "sessions",
      .title = "Add a step",
      .summary = "append a planned step",
      .parameters = {session_id(),
                     param::text("text", "the step", limits::max_step_bytes).nonempty().needed()},
      .result = session_schema(),
      .timeout = timeout_level::t2,
      .http = http_binding{"POST", "/v1/sessions/{session_id}/steps", 201},
      .cli_left_out = "sage session update --add-step appends a step",
      .mcp_left_out = "session_update's add_step appends a step",
  });

  out.push_back({
      .name = "session_checkpoint",
      .area = "sessions",
      .title = "Checkpoint a session",
      .summary = "save the session and its memory entries under a label, to resume later",
      .description = "Save a session's state and its memory entries under a label, to resume "
                     "later with session_start and the checkpoint id.",
      .parameters = {session_id(), param::text("label", "a short name for the checkpoint",
                                               limits::max_label_bytes)
                                       .cli('l')},
      .result = checkpoint_schema(),
      .timeout = timeout_level::t2,
      .cli_command = "session checkpoint",
      .mcp = true,
      .http = http_binding{"POST", "/v1/sessions/{session_id}/checkpoints", 201, false},
  });

  out.push_back({
      .name = "list_checkpoints",
      .area = "sessions",
      .title = "List checkpoints",
      .summary = "the session's checkpoints, oldest first",
      .parameters = {session_id()},
      .result = checkpoint_list_schema(),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .http = http_binding{"GET", "/v1/sessions/{session_id}/checkpoints"},
      .cli_left_out = "not offered on the CLI yet; sage session checkpoint prints the id of "
                      "each new one",
      .mcp_left_out = "session_checkpoint answers the id of each new checkpoint",
  });

  out.push_back({
      .name = "session_restore",
      .area = "sessions",
      .title = "Restore a checkpoint",
      .summary = "bring a session and its memory entries back to a checkpoint",
      .parameters = {checkpoint_id()},
      .result = session_schema(),
      .timeout = timeout_level::t2,
      .idempotent = true,
      .destructive = true,
      .cli_command = "session resume",
      .http = http_binding{"POST", "/v1/checkpoints/{checkpoint_id}/restore"},
      .mcp_left_out = "session_start with a checkpoint_id resumes from a checkpoint",
  });

  out.push_back({
      .name = "session_handoff",
      .area = "sessions",
      .title = "Hand a session off",
      .summary = "a Markdown continuation prompt for whoever picks the session up",
      .description = "A continuation prompt for whoever picks the session up: objective, steps "
                     "done and pending, decisions, context, last action and progress, in "
                     "Markdown within max_tokens.",
      .parameters =
          {session_id(),
           param::integer("max_tokens", "most tokens of the prompt", 100, 100000).fallback(2000)},
      .result = object_result({{"session_id", {{"type", "string"}}},
                               {"markdown", {{"type", "string"}}},
                               {"tokens", {{"type", "integer"}}},
                               {"max_tokens", {{"type", "integer"}}},
                               {"package", {{"type", {"object", "null"}}}}},
                              {"session_id", "markdown", "tokens"}),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "session handoff",
      .mcp = true,
      .http = http_binding{"GET", "/v1/sessions/{session_id}/handoff"},
  });

  out.push_back({
      .name = "session_end",
      .area = "sessions",
      .title = "End a session",
      .summary = "mark a session ended; its memory entries and checkpoints stay",
      .description = "Mark a session ended. Its memory entries and checkpoints stay.",
      .parameters = {session_id()},
      .result = session_schema(),
      .timeout = timeout_level::t2,
      .idempotent = true,
      .cli_command = "session end",
      .mcp = true,
      .http = http_binding{"POST", "/v1/sessions/{session_id}/end"},
      .mcp_result_member = "session",
  });

  auto one_session = session_id();
  one_session.required = false;
  one_session.description = "one session; omit to list them";
  out.push_back({
      .name = "session_status",
      .area = "sessions",
      .title = "Session status",
      .summary = "one session's objective, steps and last action, or without an id the sessions",
      .description = "One session's objective, steps and last action, or without a session_id "
                     "the list of sessions (filter with status active or ended).",
      .parameters = {one_session, list_status(),
                     page_limit().without({cli}, "the CLI lists "
                                                 "every session"),
                     param::text("cursor", "next_cursor of the previous page")
                         .nonempty()
                         .without({cli}, "the CLI lists every session")},
      .result = session_page_schema(),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "session status",
      .mcp = true,
      .http_left_out = "GET /v1/sessions/{session_id} answers one session with its checkpoints "
                       "and budget (get_session); GET /v1/sessions lists them (list_sessions)",
  });

  out.push_back({
      .name = "get_session",
      .area = "sessions",
      .title = "Get a session",
      .summary = "a session with its checkpoints and token budget",
      .parameters = {session_id()},
      .result = object_result({{"session", session_schema()},
                               {"checkpoints", {{"type", "array"}, {"items", checkpoint_schema()}}},
                               {"budget", {{"type", "object"}}}},
                              {"session", "checkpoints", "budget"}),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .http = http_binding{"GET", "/v1/sessions/{session_id}"},
      .cli_left_out = "sage session status ID and sage budget --session-id ID print its parts",
      .mcp_left_out = "session_status and budget_status answer its parts",
  });

  out.push_back({
      .name = "list_sessions",
      .area = "sessions",
      .title = "List sessions",
      .summary = "sessions, newest first, a page at a time",
      .parameters = {list_status(), page_limit(),
                     param::text("cursor", "next_cursor of the previous page").nonempty()},
      .result = session_page_schema(),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .http = http_binding{"GET", "/v1/sessions"},
      .cli_left_out = "sage session status without an id lists sessions",
      .mcp_left_out = "session_status without a session_id lists sessions",
  });
}

} // namespace sage::core::catalogue
