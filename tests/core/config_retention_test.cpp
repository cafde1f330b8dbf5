// Tests of the memory.retention keys: defaults, values from each source, and their errors.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace sage::core;
using namespace sage::core::test;
using namespace std::chrono_literals;

namespace {

const char* const types[] = {"conversation", "decision",   "context",
                             "summary",      "checkpoint", "artifact"};

/// The error of loading one YAML file, with `@` in `expected` standing for the file's path.
error file_error(const std::string& yaml, const std::string& expected) {
  config_dir dir;
  auto inputs = with_file(dir, yaml);
  auto err = load_error(inputs);
  auto message = expected;
  if (auto at = message.find('@'); at != std::string::npos) message.replace(at, 1, inputs.files[0]);
  BOOST_CHECK_EQUAL(err.message, message);
  return err;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_retention)

BOOST_AUTO_TEST_CASE(by_default_no_type_has_a_limit) {
  auto cfg = load_ok({});
  BOOST_CHECK(cfg.memory_retention == memory_retention{});
  BOOST_CHECK(!cfg.memory_retention.conversation.limits());
  auto shown = to_json(cfg, false);
  for (const char* type : types) {
    BOOST_CHECK_MESSAGE(shown["memory"]["retention"][type]["max_count"].is_null(), type);
    BOOST_CHECK_MESSAGE(shown["memory"]["retention"][type]["max_age"].is_null(), type);
    BOOST_CHECK_EQUAL(cfg.sources.at(std::string("memory.retention.") + type + ".max_age"),
                      "default");
  }
}

BOOST_AUTO_TEST_CASE(a_file_sets_count_and_age_per_type) {
  config_dir dir;
  auto cfg = load_ok(with_file(dir, "memory:\n  retention:\n"
                                    "    conversation: {max_count: 1000, max_age: 30d}\n"
                                    "    artifact:\n      max_age: 12h\n"
                                    "    decision:\n      max_count: ~\n"));
  BOOST_CHECK(cfg.memory_retention.conversation.max_count == 1000);
  BOOST_CHECK(cfg.memory_retention.conversation.max_age == 30 * 24h);
  BOOST_CHECK(cfg.memory_retention.artifact.max_age == 12h);
  BOOST_CHECK(!cfg.memory_retention.artifact.max_count);
  BOOST_CHECK(!cfg.memory_retention.decision.limits());
  BOOST_CHECK(!cfg.memory_retention.context.limits());
  BOOST_CHECK_EQUAL(cfg.sources.at("memory.retention.conversation.max_age"), dir.file("sage.yaml"));
  auto shown = to_json(cfg, false);
  BOOST_CHECK_EQUAL(shown["memory"]["retention"]["conversation"]["max_age"], "30d");
  BOOST_CHECK_EQUAL(shown["memory"]["retention"]["conversation"]["max_count"], 1000);
}

BOOST_AUTO_TEST_CASE(the_environment_sets_a_limit_and_an_empty_value_lifts_one) {
  config_dir dir;
  auto inputs = with_file(dir, "memory:\n  retention:\n    context:\n      max_count: 5\n");
  inputs.env = {{"SAGE_MEMORY__RETENTION__SUMMARY__MAX_AGE", "7d"},
                {"SAGE_MEMORY__RETENTION__CONTEXT__MAX_COUNT", ""}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK(cfg.memory_retention.summary.max_age == 7 * 24h);
  BOOST_CHECK(!cfg.memory_retention.context.max_count);
  BOOST_CHECK_EQUAL(cfg.sources.at("memory.retention.context.max_count"),
                    "env SAGE_MEMORY__RETENTION__CONTEXT__MAX_COUNT");
}

BOOST_AUTO_TEST_CASE(shown_retention_reads_back_the_same) {
  config_dir dir;
  config_inputs inputs;
  inputs.env = {{"HOME", "/home/ada"},
                {"SAGE_MEMORY__RETENTION__DECISION__MAX_COUNT", "3"},
                {"SAGE_MEMORY__RETENTION__DECISION__MAX_AGE", "36h"}};
  auto cfg = load_ok(inputs);
  auto text = to_yaml(cfg, true);
  BOOST_CHECK(text.find("max_count: 3  # env SAGE_MEMORY__RETENTION__DECISION__MAX_COUNT") !=
              std::string::npos);
  BOOST_CHECK(text.find("max_age: ~  # default") != std::string::npos);
  auto shown = with_file(dir, text);
  shown.env = {{"HOME", "/home/ada"}};
  auto again = load_ok(shown);
  BOOST_CHECK(again.memory_retention == cfg.memory_retention);
  BOOST_CHECK(same_values(again, cfg));
}

BOOST_AUTO_TEST_CASE(an_unknown_type_is_an_error_listing_the_types) {
  auto err = file_error("memory:\n  retention:\n    notes:\n      max_count: 5\n",
                        "unknown key memory.retention.notes in @");
  BOOST_CHECK_EQUAL(err.hint, "remove it; valid keys here are conversation, decision, context, "
                              "summary, checkpoint, artifact");
  err = file_error("memory:\n  retention:\n    conversations: {max_count: 5}\n",
                   "unknown key memory.retention.conversations in @");
  BOOST_CHECK_EQUAL(err.hint, "did you mean `memory.retention.conversation`?");
  err = file_error("memory:\n  retention:\n    context: {max_size: 5}\n",
                   "unknown key memory.retention.context.max_size in @");
  BOOST_CHECK_EQUAL(err.hint, "remove it; valid keys here are max_count, max_age");
  config_inputs inputs;
  inputs.env = {{"SAGE_MEMORY__RETENTION__NOTES__MAX_COUNT", "5"}};
  err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "unknown key memory.retention.notes.max_count in environment "
                                 "variable SAGE_MEMORY__RETENTION__NOTES__MAX_COUNT");
}

BOOST_AUTO_TEST_CASE(bad_limits_say_what_was_expected) {
  auto err = file_error("memory:\n  retention:\n    decision:\n      max_count: 0\n",
                        "invalid value for memory.retention.decision.max_count in @: expected an "
                        "integer of at least 1, got \"0\"");
  BOOST_CHECK_EQUAL(err.hint, "fix the value on line 4 or remove the key to use the default (no "
                              "limit)");
  file_error("memory:\n  retention:\n    decision:\n      max_count: lots\n",
             "invalid value for memory.retention.decision.max_count in @: expected an integer of "
             "at least 1, got \"lots\"");
  file_error("memory:\n  retention:\n    decision:\n      max_age: soon\n",
             "invalid value for memory.retention.decision.max_age in @: expected a duration like "
             "250ms or 2s, got \"soon\"");
  file_error("memory:\n  retention:\n    decision:\n      max_age: 0d\n",
             "invalid value for memory.retention.decision.max_age in @: expected a duration "
             "greater than zero, got \"0d\"");
  file_error("memory:\n  retention:\n    decision: 5\n",
             "invalid value for memory.retention.decision in @: expected a map with the keys "
             "max_count, max_age, got \"5\"");
  config_inputs inputs;
  inputs.env = {{"SAGE_MEMORY__RETENTION__ARTIFACT__MAX_AGE", "-1d"}};
  err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "invalid value for memory.retention.artifact.max_age in "
                                 "environment variable SAGE_MEMORY__RETENTION__ARTIFACT__MAX_AGE: "
                                 "expected a duration like 250ms or 2s, got \"-1d\"");
  BOOST_CHECK_EQUAL(err.hint, "fix the value or unset SAGE_MEMORY__RETENTION__ARTIFACT__MAX_AGE to "
                              "use the default (no limit)");
}

BOOST_AUTO_TEST_SUITE_END()
