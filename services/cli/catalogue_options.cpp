// CLI options from catalogue parameters.
// SPDX-License-Identifier: MIT
#include "services/cli/catalogue_options.hpp"

#include "core/config.hpp"

namespace sage::services::cli {
namespace {

using core::catalogue::value_type;

std::string dashed(std::string name) {
  for (auto& c : name)
    if (c == '_') c = '-';
  return name;
}

} // namespace

const core::catalogue::catalogue& cli_catalogue() {
  static const core::catalogue::catalogue catalogue{core::config{}};
  return catalogue;
}

std::string option_names(const core::catalogue::parameter& p) {
  if (p.cli_positional) return p.name;
  std::string names;
  if (!p.cli_short.empty()) names = "-" + p.cli_short + ",";
  names += "--" + dashed(p.name);
  for (const auto& a : p.aliases)
    if (dashed(a) != dashed(p.name)) names += ",--" + dashed(a);
  return names;
}

std::string option_help(const core::catalogue::parameter& p) {
  std::string help = p.description;
  if (p.type == value_type::strings) help += " (repeatable)";
  // allowed values are checked by the command, whose message names the kind of value
  if (!p.values.empty()) {
    help += "; one of";
    for (const auto& v : p.values)
      help += (&v == &p.values.front() ? " " : ", ") + v;
  }
  if (p.minimum && p.maximum)
    help += "; " + std::to_string(*p.minimum) + " to " + std::to_string(*p.maximum);
  if (!p.default_value.is_null() && p.type != value_type::boolean)
    help += "; default " + (p.default_value.is_string() ? p.default_value.get<std::string>()
                                                        : p.default_value.dump());
  if (!p.configured_by.empty()) help += " (" + p.configured_by + ")";
  return help;
}

void add_checks(CLI::Option* option, const core::catalogue::parameter& p) {
  // Bounds the configuration sets are checked when the command runs, under the configuration
  // it loads (`--config`, the environment), not the built-in one this parser was made with.
  if (!p.configured_by.empty()) return;
  if (p.type == value_type::integer && p.minimum && p.maximum)
    option->check(CLI::Range(*p.minimum, *p.maximum));
  if (p.max_length > 0) {
    auto limit = p.max_length;
    option->check(CLI::Validator(
        [limit](const std::string& value) -> std::string {
          if (value.size() <= limit) return {};
          return "longer than the limit of " + std::to_string(limit) + " bytes";
        },
        "at most " + std::to_string(limit) + " bytes"));
  }
}

CLI::App* add_operation_command(CLI::App& parent, std::string_view name) {
  const auto& op = cli_catalogue().at(name);
  auto command = op.cli_command;
  auto space = command.rfind(' ');
  if (space != std::string::npos) command = command.substr(space + 1);
  return parent.add_subcommand(command, op.summary);
}

} // namespace sage::services::cli
