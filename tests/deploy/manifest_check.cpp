// Parses every YAML file under a deploy/ folder (all documents of each) and checks the rules of
// manifest_rules.hpp. Usage: deploy_manifest_check DEPLOY_DIR [CONFIG_OUT_DIR]
// Exit 0 when every rule holds, 1 with one line per problem, 2 on bad usage.
// SPDX-License-Identifier: MIT
#include "manifest_rules.hpp"

#include <algorithm>
#include <iostream>
#include <set>

namespace fs = std::filesystem;
using namespace sage::tests::deploy;

namespace {

std::vector<fs::path> yaml_files(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Every document of the file; a parse error is a problem naming the line.
std::vector<document> load(const fs::path& file, report& r) {
  std::vector<document> docs;
  try {
    int index = 1;
    for (auto& node : YAML::LoadAllFromFile(file.string()))
      if (!node.IsNull()) docs.push_back({file, index++, node});
    if (docs.empty()) r.fail(file, "no YAML document");
  } catch (const YAML::Exception& e) {
    r.fail(file, std::string("failed to parse YAML: ") + e.what());
  }
  return docs;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || !fs::is_directory(argv[1])) {
    std::cerr << "usage: deploy_manifest_check DEPLOY_DIR [CONFIG_OUT_DIR]\n";
    return 2;
  }
  std::optional<fs::path> config_out;
  if (argc == 3) config_out = argv[2];

  report r;
  std::vector<document> kubernetes;
  std::set<std::string> kinds;
  size_t files = 0, documents = 0;
  for (const auto& file : yaml_files(argv[1])) {
    ++files;
    auto docs = load(file, r);
    documents += docs.size();
    bool in_kubernetes = file.parent_path().filename() == "kubernetes";
    for (auto& d : docs) {
      if (in_kubernetes) {
        kinds.insert(text(child(d.node, "kind")));
        kubernetes.push_back(d);
      } else if (file.filename() == "compose.yaml") {
        kinds.insert("Compose");
        check_compose(d, r);
      } else {
        r.fail(d, "no rules for this file: add them to tests/deploy/");
      }
    }
  }
  check_kubernetes(kubernetes, r, config_out);

  for (const auto& p : r.problems())
    std::cerr << "deploy: " << p << "\n";
  if (!r.problems().empty()) return 1;
  std::cout << "deploy manifests: " << files << " files, " << documents << " documents (";
  for (auto it = kinds.begin(); it != kinds.end(); ++it)
    std::cout << (it == kinds.begin() ? "" : ", ") << *it;
  std::cout << ") pass\n";
}
