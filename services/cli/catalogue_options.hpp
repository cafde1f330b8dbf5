// CLI subcommands and options derived from catalogue operations: one name per parameter
// (`session_id` is `--session-id`, older names stay as aliases), the catalogue's description,
// default and bounds as help, the bounds checked while parsing.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/catalogue/catalogue.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sage::services::cli {

/// The catalogue of this process: built from the built-in configuration (the bounds `--help`
/// shows); the configuration a command loads is applied again when it runs.
const core::catalogue::catalogue& cli_catalogue();

/// The option names of a parameter: `-b,--budget`, aliases as further long names, or the bare
/// name of a positional.
std::string option_names(const core::catalogue::parameter& p);

/// The help of a parameter: its description, default and bounds.
std::string option_help(const core::catalogue::parameter& p);

/// The subcommand of operation `name` under `parent` (the last word of its CLI command), with
/// the operation's summary as its help.
CLI::App* add_operation_command(CLI::App& parent, std::string_view name);

/// The catalogue's checks of a parameter on an option: integer bounds, allowed values, length.
void add_checks(CLI::Option* option, const core::catalogue::parameter& p);

/// Adds parameter `name` of operation `op` to `cmd`, bound to `target`.
template <class T>
CLI::Option* add_parameter(CLI::App* cmd, const core::catalogue::operation& op,
                           std::string_view name, T& target) {
  const auto& p = *op.find(name);
  CLI::Option* option;
  if constexpr (std::is_same_v<T, bool>)
    option = cmd->add_flag(option_names(p), target, option_help(p));
  else
    option = cmd->add_option(option_names(p), target, option_help(p));
  add_checks(option, p);
  if (p.required && p.cli_positional) option->required();
  return option;
}

/// A parameter kept only when given, so that "not given" differs from any value.
template <class T>
CLI::Option* add_optional_parameter(CLI::App* cmd, const core::catalogue::operation& op,
                                    std::string_view name, std::optional<T>& target) {
  const auto& p = *op.find(name);
  auto* option = cmd->add_option_function<T>(
      option_names(p), [&target](const T& value) { target = value; }, option_help(p));
  add_checks(option, p);
  return option;
}

} // namespace sage::services::cli
