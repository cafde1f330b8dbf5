// The `sage` command line.
// SPDX-License-Identifier: MIT
#include "services/cli/app.hpp"

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

  auto* get = app.add_subcommand("get", "load a layer, a document or a knowledge:// URI");
  get->add_option("target", a.target,
                  "layer name or number, KB-relative path (`.md` optional), or URI")
      ->required();
  get->add_option("-b,--budget", a.budget,
                  "at most this many tokens; the rest is listed as omitted");
  get->add_flag("--include-retired", a.include_retired, "serve deprecated and archived documents");
  get->callback([&] { action = [&](const output& o) { return run_get(s, o, a); }; });

  auto* context =
      app.add_subcommand("context", "the knowledge a task needs, within a token budget");
  context->add_option("task", a.task, "the task description")->required();
  context->add_option("-b,--budget", a.budget, "token budget (default loading.default_budget)");
  context->add_option("-l,--layer", a.layers, "restrict candidates to these layers (repeatable)");
  context->callback([&] { action = [&](const output& o) { return run_context(s, o, a); }; });

  auto* search = app.add_subcommand("search", "ranked sections matching any of the words");
  search->add_option("query", a.query, "search words")->required();
  search->add_option("-n,--limit", a.limit, "number of results (default 10, at most 50)");
  search->add_option("-l,--layer", a.layers, "only these layers (repeatable)");
  search->add_option("-t,--tag", a.tags, "only documents with any of these tags (repeatable)");
  search->add_flag("--include-retired", a.include_retired,
                   "include deprecated and archived documents");
  search->callback([&] { action = [&](const output& o) { return run_search(s, o, a); }; });

  struct named_command {
    const char* name;
    const char* help;
    core::named_kind kind;
  };
  const named_command named[] = {
      {"guidelines", "a guideline by name or alias (no name: list them)",
       core::named_kind::guideline},
      {"framework", "a framework by name or alias (no name: list them)",
       core::named_kind::framework},
      {"template", "a template by name or alias (no name: list them)", core::named_kind::template_},
  };
  for (const auto& n : named) {
    auto* cmd = app.add_subcommand(n.name, n.help);
    cmd->add_option("name", a.target, "name, alias, or unique prefix");
    cmd->add_option("-b,--budget", a.budget, "at most this many tokens");
    auto kind = n.kind;
    cmd->callback(
        [&, kind] { action = [&, kind](const output& o) { return run_named(s, o, kind, a); }; });
  }

  app.add_subcommand("layers", "layers with document, section and token counts")->callback([&] {
    action = [&](const output& o) { return run_layers(s, o); };
  });
  app.add_subcommand("info", "version, knowledge base, index generation and configuration")
      ->callback([&] { action = [&](const output& o) { return run_info(s, o); }; });
  app.add_subcommand("validate", "check structure, front matter, internal links and anchors")
      ->callback([&] { action = [&](const output& o) { return run_validate(s, o); }; });
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
