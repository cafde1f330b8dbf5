// `sage operations`: the catalogue, with the bounds of the effective configuration.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include "core/catalogue/catalogue.hpp"

#include <iostream>

namespace sage::services::cli {
namespace {

using namespace core::catalogue;

std::string interfaces_of(const operation& op) {
  std::string out;
  for (auto i : all_interfaces)
    if (op.offered_on(i)) out += (out.empty() ? "" : " ") + std::string(to_string(i));
  return out.empty() ? "-" : out;
}

std::string bounds_of(const parameter& p) {
  std::string out = to_string(p.type);
  if (p.minimum && p.maximum)
    out += " " + std::to_string(*p.minimum) + ".." + std::to_string(*p.maximum);
  if (p.max_length > 0) out += ", at most " + std::to_string(p.max_length) + " bytes";
  if (p.max_items > 0) out += ", at most " + std::to_string(p.max_items);
  if (!p.values.empty()) {
    out += ":";
    for (const auto& v : p.values)
      out += " " + v;
  }
  if (p.required) out += ", required";
  if (!p.default_value.is_null()) out += ", default " + p.default_value.dump();
  return out;
}

} // namespace

int run_operations(session& s, const output& out) {
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  catalogue c(*cfg);
  if (out.json()) {
    out.print_json(to_json(c));
    return ok;
  }
  for (const auto& op : c.operations()) {
    std::cout << op.name << "  [" << interfaces_of(op) << "]  " << to_string(op.timeout) << "\n  "
              << op.summary << "\n";
    for (const auto& p : op.parameters)
      std::cout << "    " << p.name << ": " << bounds_of(p) << " - " << p.description << "\n";
    for (auto i : all_interfaces)
      if (!op.offered_on(i))
        std::cout << "    not on " << to_string(i) << ": " << op.left_out_reason(i) << "\n";
  }
  out.note(out.dim("-- " + std::to_string(c.operations().size()) +
                   " operations; --json gives each with its schemas and interfaces"));
  return ok;
}

} // namespace sage::services::cli
