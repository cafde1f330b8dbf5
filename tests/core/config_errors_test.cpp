// Tests of configuration errors: each names the source, the key and what was expected.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

using namespace sage::core;
using namespace sage::core::test;

namespace {

/// The error of loading one YAML file, with `@` in `expected` standing for the file's path.
void check_file_error(const std::string& yaml, const std::string& expected,
                      const std::string& hint = {}) {
  config_dir dir;
  auto inputs = with_file(dir, yaml);
  auto err = load_error(inputs);
  auto message = expected;
  if (auto at = message.find('@'); at != std::string::npos) message.replace(at, 1, inputs.files[0]);
  BOOST_CHECK_EQUAL(err.message, message);
  if (!hint.empty()) BOOST_CHECK_EQUAL(err.hint, hint);
}

error env_error(std::map<std::string, std::string> env) {
  config_inputs inputs;
  inputs.env = std::move(env);
  return load_error(inputs);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_errors)

BOOST_AUTO_TEST_CASE(bad_value_in_a_file_names_file_key_and_expectation) {
  check_file_error("timeout:\n  layer: abc\n",
                   "invalid value for timeout.layer in @: expected a duration like 250ms or 2s, "
                   "got \"abc\"",
                   "fix the value on line 2 or remove the key to use the default (2s)");
  check_file_error("timeout:\n  cache: 0\n",
                   "invalid value for timeout.cache in @: expected a duration greater than zero, "
                   "got \"0\"");
}

BOOST_AUTO_TEST_CASE(bad_value_in_the_environment_names_the_variable) {
  auto err = env_error({{"SAGE_API_PORT", "99999"}});
  BOOST_CHECK_EQUAL(err.message,
                    "invalid value for server.api_port in environment variable "
                    "SAGE_API_PORT: expected an integer from 1 to 65535, got \"99999\"");
  BOOST_CHECK_EQUAL(err.hint, "fix the value or unset SAGE_API_PORT to use the default (8000)");
  err = env_error({{"SAGE_DEBUG", "maybe"}});
  BOOST_CHECK_EQUAL(err.message, "invalid value for logging.debug in environment variable "
                                 "SAGE_DEBUG: expected true or false (also yes/no, on/off, 1/0), "
                                 "got \"maybe\"");
  err = env_error({{"SAGE_LOG_LEVEL", "loud"}});
  BOOST_CHECK_EQUAL(err.message, "invalid value for logging.level in environment variable "
                                 "SAGE_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARNING, "
                                 "ERROR, CRITICAL, got \"loud\"");
  err = env_error({{"SAGE_TOKENS__ENCODING", "gpt2"}});
  BOOST_CHECK_EQUAL(err.message, "invalid value for tokens.encoding in environment variable "
                                 "SAGE_TOKENS__ENCODING: expected one of cl100k_base, o200k_base, "
                                 "estimate, got \"gpt2\"");
  err = env_error({{"SAGE_KNOWLEDGE__LAYERS", "[unclosed"}});
  BOOST_CHECK_EQUAL(err.message, "invalid value for knowledge.layers in environment variable "
                                 "SAGE_KNOWLEDGE__LAYERS: expected a YAML list such as "
                                 "[{name: x, ...}], got \"[unclosed\"");
}

BOOST_AUTO_TEST_CASE(bad_value_in_dotenv_names_the_line) {
  config_dir dir;
  config_inputs inputs;
  inputs.dotenv_file = dir.write(".env", "SAGE_OTHER=1\nSAGE_TIMEOUT__FILE=-5ms\n");
  auto err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "invalid value for timeout.file in " + dir.file(".env") +
                                     " line 2: expected a duration like 250ms or 2s, got \"-5ms\"");
  BOOST_CHECK_EQUAL(err.hint, "fix the value or remove the line to use the default (500ms)");
}

BOOST_AUTO_TEST_CASE(bad_value_in_a_flag_names_the_flag) {
  config_inputs inputs;
  inputs.flags = {{"server.api_port", "http"}};
  inputs.flag_names = {{"server.api_port", "--port"}};
  auto err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "invalid value for server.api_port in flag --port: expected an "
                                 "integer from 1 to 65535, got \"http\"");
  BOOST_CHECK_EQUAL(err.hint, "fix the value of --port; the default is 8000");
  inputs.flags = {{"foo.bar", "1"}};
  err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "unknown key foo.bar in flag --foo.bar");
}

BOOST_AUTO_TEST_CASE(wrong_types_say_what_was_expected_and_what_was_found) {
  check_file_error("search:\n  max_limit: lots\n",
                   "invalid value for search.max_limit in @: expected an integer of at least 1, "
                   "got \"lots\"");
  check_file_error("knowledge:\n  layers:\n    a: b\n",
                   "invalid value for knowledge.layers in @: expected a non-empty list of layers "
                   "(maps with name and folder), got a map");
  check_file_error("server:\n  api_key: [a]\n",
                   "invalid value for server.api_key in @: expected a string, got a list");
  check_file_error("timeout: 5\n", "invalid value for timeout in @: expected a map with the keys "
                                   "cache, file, layer, full, analysis, breaker, got \"5\"");
  check_file_error("loading:\n  core_share: 1.5\n",
                   "invalid value for loading.core_share in @: expected a number from 0 to 1, "
                   "got \"1.5\"");
  check_file_error("guidelines:\n  sections: [a]\n",
                   "invalid value for guidelines.sections in @: expected a map of names such as "
                   "{py: PYTHON}, got a list");
  check_file_error("guidelines:\n  sections:\n    py: {a: b}\n",
                   "invalid value for guidelines.sections.py in @: expected a name, got a map");
  check_file_error("- a\n- b\n", "failed to load config file @: expected a map of sections such "
                                 "as `timeout:` at the top level, got a list");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_errors_give_line_and_column) {
  check_file_error("timeout:\n  layer: [1, 2\n",
                   "failed to parse config file @: end of sequence flow not found at line 3, "
                   "column 1",
                   "fix the YAML syntax near line 3 (indentation, a missing colon or quote)");
}

BOOST_AUTO_TEST_CASE(unknown_keys_suggest_the_closest_key) {
  check_file_error("timeout:\n  layr: 2s\n", "unknown key timeout.layr in @",
                   "did you mean `timeout.layer`?");
  check_file_error("timout:\n  layer: 2s\n", "unknown key timout in @", "did you mean `timeout`?");
  check_file_error("search:\n  layer: 2s\n", "unknown key search.layer in @",
                   "did you mean `timeout.layer`?");
  check_file_error("timeout:\n  zzzzzz: 1\n", "unknown key timeout.zzzzzz in @",
                   "remove it; valid keys here are cache, file, layer, full, analysis, breaker");
  check_file_error("knowledge:\n  layers:\n    - {name: a, folder: a, prio: 1}\n",
                   "unknown key knowledge.layers[0].prio in @",
                   "did you mean `knowledge.layers[0].priority`?");
  check_file_error("timeout:\n  layer: 1s\n  layer: 2s\n", "duplicate key timeout.layer in @");
  auto err = env_error({{"SAGE_TIMEOUT__LAYR", "2s"}});
  BOOST_CHECK_EQUAL(err.message, "unknown key timeout.layr in environment variable "
                                 "SAGE_TIMEOUT__LAYR");
  BOOST_CHECK_EQUAL(err.hint, "did you mean SAGE_TIMEOUT__LAYER?");
  err = env_error({{"SAGE_TIMEOUT__BREAKER", "1"}});
  BOOST_CHECK_EQUAL(err.message, "invalid key timeout.breaker in environment variable "
                                 "SAGE_TIMEOUT__BREAKER: it is a section, not a key");
  BOOST_CHECK_EQUAL(err.hint, "set one of its keys instead: timeout.breaker.failures, "
                              "timeout.breaker.reset");
}

BOOST_AUTO_TEST_CASE(bad_layers_and_triggers_name_the_item) {
  check_file_error("knowledge:\n  layers:\n    - {name: a}\n",
                   "invalid value for knowledge.layers[0] in @: expected a layer with a name and "
                   "a folder, got a map without folder");
  check_file_error(
      "knowledge:\n  layers:\n    - {name: a, folder: a}\n    - {name: A, folder: b}\n",
      "invalid value for knowledge.layers[1].name in @: expected a layer name used "
      "only once, got \"A\"");
  check_file_error("knowledge:\n  layers:\n    - {name: a, folder: ../up}\n",
                   "invalid value for knowledge.layers[0].folder in @: expected a folder relative "
                   "to the knowledge base, got \"../up\"");
  check_file_error("knowledge:\n  layers:\n    - {name: a, folder: a, always: sometimes}\n",
                   "invalid value for knowledge.layers[0].always in @: expected true or false "
                   "(also yes/no, on/off, 1/0), got \"sometimes\"");
  check_file_error("triggers:\n  - {name: t, keywords: x, targets: [a]}\n",
                   "invalid value for triggers[0].keywords in @: expected a non-empty list of "
                   "keywords, got \"x\"");
  check_file_error("triggers:\n  - {name: t, keywords: [x], targets: [/etc/passwd]}\n",
                   "invalid value for triggers[0].targets[0] in @: expected a path relative to the "
                   "knowledge base, got \"/etc/passwd\"");
  check_file_error("triggers:\n  - {name: t, keywords: [x]}\n",
                   "invalid value for triggers[0] in @: expected a trigger with a name, keywords "
                   "and targets, got a map without targets");
  check_file_error("triggers: {name: t}\n",
                   "invalid value for triggers in @: expected a list of triggers (maps with name, "
                   "keywords, targets), got a map");
}

BOOST_AUTO_TEST_CASE(values_that_contradict_each_other_blame_the_one_that_was_set) {
  check_file_error("knowledge:\n  layer_aliases:\n    \"9\": nowhere\n",
                   "invalid value for knowledge.layer_aliases.9 in @: expected the name of a "
                   "layer (index, core, guidelines, frameworks, practices, scenarios, references, "
                   "templates), got \"nowhere\"");
  check_file_error("search:\n  max_limit: 5\n",
                   "invalid value for search.max_limit in @: expected at least "
                   "search.default_limit (10), got \"5\"");
  auto err = env_error({{"SAGE_SEARCH__DEFAULT_LIMIT", "60"}});
  BOOST_CHECK_EQUAL(err.message, "invalid value for search.default_limit in environment variable "
                                 "SAGE_SEARCH__DEFAULT_LIMIT: expected at most search.max_limit "
                                 "(50), got \"60\"");
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_errors_not_skipped) {
  config_dir dir;
  config_inputs inputs;
  inputs.files = {dir.path.string()};
  auto err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message,
                    "failed to read config file " + dir.path.string() + ": it is a directory");
  // Permission bits do not stop root, so only check them when they apply.
  if (::geteuid() != 0) {
    inputs.files = {dir.write("locked.yaml", "timeout:\n  layer: 2s\n")};
    std::filesystem::permissions(inputs.files[0], std::filesystem::perms::none);
    err = load_error(inputs);
    BOOST_CHECK_EQUAL(err.message,
                      "failed to read config file " + inputs.files[0] + ": Permission denied");
  }
}

BOOST_AUTO_TEST_CASE(yaml_nested_100000_deep_is_refused_naming_the_file) {
  for (const auto& text : {std::string(100000, '['), std::string(100000, '{'),
                           std::string("a: ") + std::string(100000, '[')}) {
    config_dir dir;
    auto inputs = with_file(dir, text);
    auto err = load_error(inputs);
    BOOST_CHECK_EQUAL(err.message, "failed to parse config file " + inputs.files[0] +
                                       ": it nests lists and maps too deeply at line 1");
  }
}

BOOST_AUTO_TEST_CASE(a_config_file_or_env_file_that_is_not_regular_is_refused) {
  config_dir dir;
  auto fifo = dir.file("fifo.yaml");
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  config_inputs inputs;
  inputs.explicit_file = fifo;
  BOOST_CHECK_EQUAL(load_error(inputs).message,
                    "failed to read config file " + fifo + ": it is a fifo, not a regular file");
  config_inputs from_env;
  from_env.env = {{"SAGE_CONFIG_PATH", "/dev/zero"}};
  BOOST_CHECK_EQUAL(load_error(from_env).message,
                    "failed to read config file /dev/zero: it is a character device, not a "
                    "regular file");
  config_inputs dotenv;
  dotenv.dotenv_file = fifo;
  BOOST_CHECK_EQUAL(load_error(dotenv).message, "failed to read environment file " + fifo +
                                                    ": it is a fifo, not a regular file");
}

BOOST_AUTO_TEST_CASE(a_config_file_over_1_mib_is_refused) {
  config_dir dir;
  auto inputs = with_file(dir, "# " + std::string(std::size_t{1} << 20, 'x') + "\n");
  BOOST_CHECK_EQUAL(load_error(inputs).message,
                    "failed to read config file " + inputs.files[0] +
                        ": it is larger than the limit of 1048576 bytes");
}

BOOST_AUTO_TEST_SUITE_END()
