// The `sage` command line.
// SPDX-License-Identifier: MIT
#include "services/cli/app.hpp"

#include "services/cli/catalogue_options.hpp"
#include "services/cli/commands.hpp"
#include "services/cli/log_setup.hpp"
#include "services/cli/ops_commands.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <spdlog/spdlog.h>

namespace sage::services::cli {

int run(int argc, char** argv) {
  CLI::App app{"sage - a layered Markdown knowledge base for AI assistants, within a token budget"};
  app.footer("Exit codes: 0 ok, 1 error, 2 usage or configuration error, 3 not found, "
             "4 timed out, degraded or unhealthy.\nConfiguration: config/sage.yaml documents "
             "every key; `sage config show --sources` shows where each value came from.");
  app.require_subcommand(0, 1);
  app.fallthrough();
  session s;
  auto& g = s.options;
  bool show_version = false;
  app.add_option("--kb", g.kb_path, "knowledge base folder (default: the bundled knowledge base)");
  app.add_option("--config", g.config_file, "configuration file, applied after the standard ones");
  app.add_flag("--json", g.json, "print the operation's result as JSON");
  app.add_flag("-q,--quiet", g.quiet, "print only results, no notes");
  app.add_flag("-v,--verbose", g.verbose, "log what happens to stderr");
  app.add_flag("--no-color", g.no_color, "never colour the output (also NO_COLOR=1)");
  app.add_flag("--version", show_version, "print the version and exit");

  knowledge_args a;
  command_action action;
  bool long_running = false;

  const auto& ops = cli_catalogue();
  const auto& get_op = ops.at("get_knowledge");
  auto* get = add_operation_command(app, "get_knowledge");
  add_parameter(get, get_op, "target", a.target);
  add_parameter(get, get_op, "budget", a.budget);
  add_parameter(get, get_op, "include_retired", a.include_retired);
  get->callback([&] { action = [&](const output& o) { return run_get(s, o, a); }; });

  const auto& context_op = ops.at("get_context");
  auto* context = add_operation_command(app, "get_context");
  add_parameter(context, context_op, "task", a.task);
  add_parameter(context, context_op, "budget", a.budget);
  add_parameter(context, context_op, "layers", a.layers);
  context->callback([&] { action = [&](const output& o) { return run_context(s, o, a); }; });

  const auto& search_op = ops.at("search_knowledge");
  auto* search = add_operation_command(app, "search_knowledge");
  add_parameter(search, search_op, "query", a.query);
  add_parameter(search, search_op, "limit", a.limit);
  add_parameter(search, search_op, "layers", a.layers);
  add_parameter(search, search_op, "tags", a.tags);
  add_parameter(search, search_op, "include_retired", a.include_retired);
  search->callback([&] { action = [&](const output& o) { return run_search(s, o, a); }; });

  struct named_command {
    const char* operation;
    const char* list;
    core::named_kind kind;
  };
  const named_command named[] = {
      {"get_guidelines", "list_guidelines", core::named_kind::guideline},
      {"get_framework", "list_frameworks", core::named_kind::framework},
      {"get_template", "list_templates", core::named_kind::template_},
  };
  for (const auto& n : named) {
    const auto& op = ops.at(n.operation);
    auto* cmd = add_operation_command(app, n.operation);
    // without a name the command lists the layer: the operation named by `list`
    cmd->description(op.summary + "; without a name: " + ops.at(n.list).summary);
    add_parameter(cmd, op, "name", a.target)->required(false);
    add_parameter(cmd, op, "budget", a.budget);
    auto kind = n.kind;
    cmd->callback(
        [&, kind] { action = [&, kind](const output& o) { return run_named(s, o, kind, a); }; });
  }

  add_operation_command(app, "list_layers")->callback([&] {
    action = [&](const output& o) { return run_layers(s, o); };
  });
  add_operation_command(app, "get_info")->callback([&] {
    action = [&](const output& o) { return run_info(s, o); };
  });
  add_operation_command(app, "validate_kb")->callback([&] {
    action = [&](const output& o) { return run_validate(s, o); };
  });
  app.add_subcommand("operations", "the operations every interface offers: parameters with "
                                   "their bounds, and which of CLI, MCP and HTTP offers each")
      ->callback([&] { action = [&](const output& o) { return run_operations(s, o); }; });
  auto* config = app.add_subcommand("config", "configuration");
  config->require_subcommand(1);
  bool sources = false;
  auto* show = config->add_subcommand("show", "the effective configuration");
  show->add_flag("--sources", sources, "say where each value came from");
  show->callback([&] { action = [&](const output& o) { return run_config_show(s, o, sources); }; });
  register_memory_commands(app, s, action);
  register_session_commands(app, s, action);
  register_budget_command(app, s, action);
  register_ops_commands(app, s, action);
  app.add_subcommand("node", "run the engine in the foreground: watch the knowledge base, "
                             "rebuild on changes, log events; stop with Ctrl-C or SIGTERM")
      ->callback([&] {
        long_running = true;
        action = [&](const output& o) { return run_node(s, o); };
      });
  app.add_subcommand("mcp", "serve the Model Context Protocol over stdin and stdout for the "
                            "client that started this process; logs go to stderr")
      ->callback([&] {
        long_running = true;
        action = [&](const output& o) { return run_mcp(s, o); };
      });
  serve_args serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "serve the HTTP API (http://127.0.0.1:<server.api_port>/v1) and the Model Context "
               "Protocol over Streamable HTTP (http://127.0.0.1:<server.mcp_port>/mcp) until "
               "Ctrl-C or SIGTERM");
  serve_cmd->add_option("--host", serve.host, "address to listen on (default 127.0.0.1)");
  serve_cmd
      ->add_option("--api-port", serve.api_port,
                   "HTTP API port (default server.api_port, SAGE_API_PORT; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve_cmd
      ->add_option("--mcp-port,--port", serve.mcp_port,
                   "MCP port (default server.mcp_port, SAGE_MCP_PORT; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve_cmd
      ->add_option("--metrics-port", serve.metrics_port,
                   "metrics port, GET /metrics (default server.metrics_port, SAGE_METRICS_PORT; "
                   "0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_flag("--allow-remote", serve.allow_remote,
                      "allow a --host that is not loopback without an API key (server.api_key, "
                      "SAGE_API_KEY): the API and MCP endpoints are then open to anyone");
  serve_cmd->callback([&] {
    long_running = true;
    action = [&](const output& o) { return run_serve(s, o, serve); };
  });
  app.add_subcommand("version", "print the version")->callback([&] {
    action = [&](const output& o) { return run_version(o); };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return ok;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return ok;
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\nhint: run `sage --help` or `sage <command> --help`\n";
    return usage;
  }
  start_logging(g, long_running);
  output out(g.json, g.quiet, g.no_color);
  if (show_version) return run_version(out);
  if (!action) {
    std::cout << app.help();
    return usage;
  }
  int code;
  try {
    code = action(out);
  } catch (const std::exception& e) {
    code = out.fail(core::make_error(core::error_code::internal,
                                     std::string("unexpected failure: ") + e.what(),
                                     "please report this with the command that caused it"));
  }
  // Everything is written; skip tearing down the snapshot (hundreds of thousands of small
  // allocations on a large knowledge base) and let the OS reclaim it at once.
  std::cout.flush();
  std::cerr.flush();
  // Flush, but keep the loggers: engine threads still running may log until _Exit, and
  // spdlog::shutdown() would leave them a null default logger to crash on.
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  std::_Exit(code);
}

} // namespace sage::services::cli
