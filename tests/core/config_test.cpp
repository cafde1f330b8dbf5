// Tests of configuration loading: defaults, precedence of sources, overrides, .env, output.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"
#include "core/duration.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

using namespace sage::core;
using namespace sage::core::test;
using namespace std::chrono_literals;

namespace {

/// A YAML file that sets two-level dotted keys (`timeout.layer`) to text values.
std::string yaml_of(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> sections;
  for (const auto& [key, value] : values) {
    auto dot = key.find('.');
    sections[key.substr(0, dot)] += "  " + key.substr(dot + 1) + ": \"" + value + "\"\n";
  }
  std::string text;
  for (const auto& [section, body] : sections)
    text += section + ":\n" + body;
  return text;
}

std::string variable_of(const std::string& key) {
  std::string name = "SAGE_";
  for (char c : key)
    name += c == '.' ? std::string{"__"} : std::string(1, static_cast<char>(std::toupper(c)));
  return name;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_loading)

BOOST_AUTO_TEST_CASE(no_sources_give_the_documented_defaults) {
  auto cfg = load_ok({});
  BOOST_CHECK(same_values(cfg, default_config()));
  BOOST_CHECK_EQUAL(cfg.layers.size(), 8u);
  BOOST_CHECK_EQUAL(cfg.layers[0].folder, "INDEX.md");
  BOOST_CHECK(cfg.layers[0].always && cfg.layers[1].always && !cfg.layers[2].always);
  BOOST_CHECK_EQUAL(cfg.layers[7].name, "templates");
  BOOST_CHECK_EQUAL(cfg.layer_aliases.at("0"), "core");
  BOOST_CHECK_EQUAL(cfg.layer_aliases.at("3"), "practices");
  BOOST_CHECK(cfg.timeout.layer == 2s);
  BOOST_CHECK(cfg.timeout.breaker_reset == 30s);
  BOOST_CHECK_EQUAL(cfg.api_port, 8000);
  BOOST_CHECK_EQUAL(cfg.log_level, "INFO");
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.layer"), "default");
  BOOST_CHECK_EQUAL(cfg.sources.at("guidelines.sections.py"), "default");
  for (const auto& [key, source] : cfg.sources)
    BOOST_CHECK_MESSAGE(source == "default", key + " comes from " + source);
}

BOOST_AUTO_TEST_CASE(shipped_sage_yaml_loads_and_equals_the_defaults) {
  for (auto env :
       {std::map<std::string, std::string>{{"HOME", "/home/ada"}},
        std::map<std::string, std::string>{{"HOME", "/home/ada"}, {"XDG_DATA_HOME", "/xdg"}}}) {
    config_inputs inputs;
    inputs.files = {SAGE_DEFAULT_CONFIG_FILE};
    inputs.env = env;
    auto cfg = load_ok(inputs);
    BOOST_CHECK_EQUAL(to_json(cfg, false).dump(2), to_json(default_config(env), false).dump(2));
    BOOST_CHECK_EQUAL(cfg.sources.at("timeout.layer"), SAGE_DEFAULT_CONFIG_FILE);
  }
}

BOOST_AUTO_TEST_CASE(later_sources_win_in_the_documented_order) {
  config_dir dir;
  // Source i sets keys i.. so key i ends up coming from source i.
  const std::vector<std::string> keys{"server.api_key",      "timeout.cache", "timeout.file",
                                      "timeout.layer",       "timeout.full",  "server.mcp_port",
                                      "server.metrics_port", "knowledge.path"};
  auto values_from = [&](std::size_t level) {
    std::map<std::string, std::string> values;
    for (std::size_t i = level; i < keys.size(); ++i)
      values[keys[i]] = keys[i].starts_with("timeout")    ? std::to_string(level + 1) + "s"
                        : keys[i].starts_with("server.m") ? std::to_string(7000 + level)
                                                          : "/level" + std::to_string(level);
    return values;
  };
  config_inputs inputs;
  inputs.files = {dir.write("etc/sage.yaml", yaml_of(values_from(0))),
                  dir.write("home/config.yaml", yaml_of(values_from(1))),
                  dir.write("cwd/sage.yaml", yaml_of(values_from(2))),
                  dir.file("missing/sage.yaml")};
  auto named = dir.write("named.yaml", yaml_of(values_from(3)));
  auto explicit_file = dir.write("explicit.yaml", yaml_of(values_from(4)));
  inputs.explicit_file = explicit_file;
  std::string dotenv;
  for (const auto& [key, value] : values_from(5))
    dotenv += variable_of(key) + "=" + value + "\n";
  inputs.dotenv_file = dir.write(".env", dotenv);
  inputs.env["SAGE_CONFIG_PATH"] = named;
  for (const auto& [key, value] : values_from(6))
    inputs.env[variable_of(key)] = value;
  inputs.flags["knowledge.path"] = "/from-flag";

  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.api_key, "/level0");
  BOOST_CHECK(cfg.timeout.cache == 2s);
  BOOST_CHECK(cfg.timeout.file == 3s);
  BOOST_CHECK(cfg.timeout.layer == 4s);
  BOOST_CHECK(cfg.timeout.full == 5s);
  BOOST_CHECK_EQUAL(cfg.mcp_port, 7005);
  BOOST_CHECK_EQUAL(cfg.metrics_port, 7006);
  BOOST_CHECK_EQUAL(cfg.kb_path, "/from-flag");
  BOOST_CHECK_EQUAL(cfg.sources.at("server.api_key"), inputs.files[0]);
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.cache"), inputs.files[1]);
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.file"), inputs.files[2]);
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.layer"), named);
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.full"), explicit_file);
  BOOST_CHECK_EQUAL(cfg.sources.at("server.mcp_port"), ".env");
  BOOST_CHECK_EQUAL(cfg.sources.at("server.metrics_port"), "env SAGE_SERVER__METRICS_PORT");
  BOOST_CHECK_EQUAL(cfg.sources.at("knowledge.path"), "flag --kb");
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.analysis"), "default");
}

BOOST_AUTO_TEST_CASE(named_variables_set_their_keys) {
  config_inputs inputs;
  inputs.env = {{"SAGE_KB_PATH", "/kb"},    {"SAGE_CACHE_DIR", "/cache"},
                {"SAGE_DATA_DIR", "/data"}, {"SAGE_LOG_LEVEL", "debug"},
                {"SAGE_DEBUG", "yes"},      {"SAGE_API_PORT", "8080"},
                {"SAGE_MCP_PORT", "8081"},  {"SAGE_METRICS_PORT", "9090"},
                {"SAGE_API_KEY", "s3cret"}, {"SAGE_SOMETHING_ELSE", "ignored"},
                {"PATH", "/usr/bin"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.kb_path, "/kb");
  BOOST_CHECK_EQUAL(cfg.cache_dir, "/cache");
  BOOST_CHECK_EQUAL(cfg.data_dir, "/data");
  BOOST_CHECK_EQUAL(cfg.log_level, "DEBUG");
  BOOST_CHECK(cfg.debug);
  BOOST_CHECK_EQUAL(cfg.api_port, 8080);
  BOOST_CHECK_EQUAL(cfg.mcp_port, 8081);
  BOOST_CHECK_EQUAL(cfg.metrics_port, 9090);
  BOOST_CHECK_EQUAL(cfg.api_key, "s3cret");
  BOOST_CHECK_EQUAL(cfg.sources.at("logging.level"), "env SAGE_LOG_LEVEL");
}

BOOST_AUTO_TEST_CASE(generic_double_underscore_variables_override_any_key) {
  config_inputs inputs;
  inputs.env = {{"SAGE_TIMEOUT__LAYER", "3s"},
                {"SAGE_SEARCH__BM25__K1", "1.5"},
                {"SAGE_SEARCH__FIELD_WEIGHTS__TITLE", "4"},
                {"SAGE_TIMEOUT__BREAKER__FAILURES", "5"},
                {"SAGE_GUIDELINES__SECTIONS__GO", "GO_STYLE"},
                {"SAGE_GUIDELINES__SECTIONS__PY", ""},
                {"SAGE_KNOWLEDGE__LAYERS", "[{name: docs, folder: docs, always: yes}]"},
                {"SAGE_TRIGGERS", "ignored: a top-level key has no __ spelling"},
                {"SAGE_KB_PATH", "/named"},
                {"SAGE_KNOWLEDGE__PATH", "/generic"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK(cfg.timeout.layer == 3000ms);
  BOOST_CHECK_EQUAL(cfg.search.k1, 1.5);
  BOOST_CHECK_EQUAL(cfg.search.weight_title, 4.0);
  BOOST_CHECK_EQUAL(cfg.timeout.breaker_failures, 5);
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.at("go"), "GO_STYLE");
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.count("py"), 0u);
  BOOST_CHECK_EQUAL(cfg.sources.count("guidelines.sections.py"), 0u);
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.at("overview"), "QUICK_START");
  BOOST_REQUIRE_EQUAL(cfg.layers.size(), 1u);
  BOOST_CHECK(cfg.layers[0].always);
  BOOST_CHECK_EQUAL(cfg.triggers.size(), default_config().triggers.size());
  BOOST_CHECK_EQUAL(cfg.kb_path, "/generic");
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.layer"), "env SAGE_TIMEOUT__LAYER");
  BOOST_CHECK_EQUAL(cfg.sources.at("guidelines.sections.go"), "env SAGE_GUIDELINES__SECTIONS__GO");
}

BOOST_AUTO_TEST_CASE(maps_merge_and_lists_replace_across_files) {
  config_dir dir;
  config_inputs inputs;
  inputs.files = {dir.write("a.yaml", "guidelines:\n  sections:\n    Go: GO\n"
                                      "knowledge:\n  layers:\n    - {name: docs, folder: docs}\n"
                                      "    - {name: extra, folder: extra, always: true}\n"
                                      "  layer_aliases:\n    \"0\": docs\n")};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.at("go"), "GO");
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.at("py"), "PYTHON");
  BOOST_REQUIRE_EQUAL(cfg.layers.size(), 2u);
  BOOST_CHECK_EQUAL(cfg.layers[1].priority, 1); // position in the list
  BOOST_CHECK(cfg.layers[1].always);
  // Default aliases of layers the new list dropped go away; the user's own alias stays.
  BOOST_CHECK_EQUAL(cfg.layer_aliases.size(), 1u);
  BOOST_CHECK_EQUAL(cfg.layer_aliases.at("0"), "docs");
  BOOST_CHECK_EQUAL(cfg.sources.count("knowledge.layer_aliases.1"), 0u);
}

BOOST_AUTO_TEST_CASE(missing_standard_files_are_skipped_but_named_files_must_exist) {
  config_dir dir;
  config_inputs inputs;
  inputs.files = {dir.file("nope.yaml")};
  BOOST_CHECK(same_values(load_ok(inputs), default_config()));
  inputs.env["SAGE_CONFIG_PATH"] = dir.file("also-missing.yaml");
  auto named = load_error(inputs);
  BOOST_CHECK_EQUAL(named.message, "config file " + dir.file("also-missing.yaml") +
                                       " given by SAGE_CONFIG_PATH does not exist");
  BOOST_CHECK_EQUAL(named.hint, "check the path given by SAGE_CONFIG_PATH");
  inputs.env.erase("SAGE_CONFIG_PATH");
  inputs.explicit_file = dir.file("gone.yaml");
  auto err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message,
                    "config file " + dir.file("gone.yaml") + " given by --config does not exist");
  BOOST_CHECK_EQUAL(err.hint, "check the path given by --config");
}

BOOST_AUTO_TEST_CASE(booleans_accept_the_usual_spellings) {
  for (auto [text, expected] : std::vector<std::pair<std::string, bool>>{{"true", true},
                                                                         {"YES", true},
                                                                         {"on", true},
                                                                         {"1", true},
                                                                         {"false", false},
                                                                         {"No", false},
                                                                         {"off", false},
                                                                         {"0", false}}) {
    config_inputs inputs;
    inputs.env = {{"SAGE_DEBUG", text}, {"SAGE_CACHE__ENABLED", expected ? "false" : "true"}};
    auto cfg = load_ok(inputs);
    BOOST_CHECK_MESSAGE(cfg.debug == expected, text);
    BOOST_CHECK(cfg.cache_enabled == !expected);
  }
}

BOOST_AUTO_TEST_CASE(home_is_expanded_from_the_inputs_environment) {
  config_dir dir;
  config_inputs inputs;
  inputs.env = {{"HOME", "/home/ada/"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.cache_dir, "/home/ada/.sage/cache");
  BOOST_CHECK_EQUAL(cfg.data_dir, "/home/ada/.local/share/sage");
  inputs.env["XDG_DATA_HOME"] = "/xdg/data";
  inputs.env["SAGE_KB_PATH"] = "~/kb";
  inputs.env["SAGE_CACHE_DIR"] = "~other/cache";
  cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.data_dir, "/xdg/data/sage");
  BOOST_CHECK_EQUAL(cfg.kb_path, "/home/ada/kb");
  BOOST_CHECK_EQUAL(cfg.cache_dir, "~other/cache"); // `~user` is not expanded
  inputs.env = {{"XDG_DATA_HOME", "relative/ignored"}};
  cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.cache_dir, "~/.sage/cache"); // no HOME: left as written
  BOOST_CHECK_EQUAL(cfg.data_dir, "~/.local/share/sage");
}

BOOST_AUTO_TEST_CASE(relative_paths_in_a_file_are_relative_to_that_file) {
  config_dir dir;
  auto inputs = with_file(dir, "knowledge:\n  path: ./kb\ncache:\n  dir: ../cache\n");
  inputs.env["SAGE_DATA_DIR"] = "data";
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.kb_path, (dir.path / "kb").string());
  BOOST_CHECK_EQUAL(cfg.cache_dir, (dir.path.parent_path() / "cache").string());
  BOOST_CHECK_EQUAL(cfg.data_dir, "data"); // from the environment: as given
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_dotenv)

BOOST_AUTO_TEST_CASE(dotenv_lines_quotes_comments_and_export) {
  config_dir dir;
  config_inputs inputs;
  inputs.dotenv_file = dir.write(".env", "# settings\n"
                                         "\n"
                                         "export SAGE_KB_PATH=/kb   # trailing comment\n"
                                         "SAGE_API_KEY=\"a b \\\"c\\\" #d\"\n"
                                         "SAGE_LOG_LEVEL='warning'\n"
                                         "OTHER_TOOL=\"multi\n"
                                         "line value\"\n"
                                         "this line is for another tool\n"
                                         "SAGE_UNRELATED=whatever\n"
                                         "  SAGE_TIMEOUT__FULL = 7s\r\n"
                                         "SAGE_GUIDELINES__SECTIONS__PY= # removes\n"
                                         "SAGE_MCP_PORT=8111\n");
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.kb_path, "/kb");
  BOOST_CHECK_EQUAL(cfg.api_key, "a b \"c\" #d");
  BOOST_CHECK_EQUAL(cfg.log_level, "WARNING");
  BOOST_CHECK(cfg.timeout.full == 7s);
  BOOST_CHECK_EQUAL(cfg.mcp_port, 8111);
  BOOST_CHECK_EQUAL(cfg.guideline_aliases.count("py"), 0u);
  BOOST_CHECK_EQUAL(cfg.sources.at("knowledge.path"), ".env");
}

BOOST_AUTO_TEST_CASE(the_environment_overrides_dotenv_even_its_bad_values) {
  config_dir dir;
  config_inputs inputs;
  inputs.dotenv_file = dir.write(".env", "SAGE_API_PORT=not-a-port\nSAGE_MCP_PORT=8200\n"
                                         "SAGE_LOGGING__LEVEL=error\n");
  inputs.env = {{"SAGE_API_PORT", "8100"}, {"SAGE_LOG_LEVEL", "debug"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.log_level, "DEBUG"); // another spelling of the same key: still env wins
  BOOST_CHECK_EQUAL(cfg.api_port, 8100);
  BOOST_CHECK_EQUAL(cfg.mcp_port, 8200);
  BOOST_CHECK_EQUAL(cfg.sources.at("server.api_port"), "env SAGE_API_PORT");
}

BOOST_AUTO_TEST_CASE(dotenv_can_name_the_config_file) {
  config_dir dir;
  config_inputs inputs;
  auto named = dir.write("named.yaml", "timeout:\n  full: 9s\n");
  inputs.dotenv_file = dir.write(".env", "SAGE_CONFIG_PATH=" + named + "\n");
  auto cfg = load_ok(inputs);
  BOOST_CHECK(cfg.timeout.full == 9s);
  BOOST_CHECK_EQUAL(cfg.sources.at("timeout.full"), named);
  inputs.dotenv_file = dir.file("no-such.env");
  BOOST_CHECK(same_values(load_ok(inputs), default_config()));
}

BOOST_AUTO_TEST_CASE(malformed_sage_lines_in_dotenv_are_errors_with_their_line) {
  config_dir dir;
  config_inputs inputs;
  inputs.dotenv_file = dir.write(".env", "# ok\nSAGE_KB_PATH /kb\n");
  auto err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "failed to parse " + dir.file(".env") +
                                     " line 2: expected KEY=VALUE, got \"SAGE_KB_PATH /kb\"");
  inputs.dotenv_file = dir.write(".env", "SAGE_API_KEY=\"open\n");
  err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message, "failed to parse " + dir.file(".env") +
                                     " line 1: expected a closing \", got \"\"open\"");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_duration)

BOOST_AUTO_TEST_CASE(durations_accept_units_and_plain_milliseconds) {
  BOOST_CHECK(*parse_duration("250ms") == 250ms);
  BOOST_CHECK(*parse_duration("2s") == 2000ms);
  BOOST_CHECK(*parse_duration("1m") == 60000ms);
  BOOST_CHECK(*parse_duration("1h") == 3600000ms);
  BOOST_CHECK(*parse_duration("1.5s") == 1500ms);
  BOOST_CHECK(*parse_duration("1500") == 1500ms);
  BOOST_CHECK(*parse_duration(" 2S ") == 2000ms);
  BOOST_CHECK(*parse_duration("0") == 0ms);
}

BOOST_AUTO_TEST_CASE(durations_accept_days_of_24_hours) {
  BOOST_CHECK(*parse_duration("30d") == 30 * 24h);
  BOOST_CHECK(*parse_duration("1D") == 24h);
  BOOST_CHECK(*parse_duration("1.5d") == 36h);
  BOOST_CHECK_EQUAL(format_duration(24h), "1d");
  BOOST_CHECK_EQUAL(format_duration(36h), "36h");
  BOOST_CHECK(!parse_duration("99999999999d"));
}

BOOST_AUTO_TEST_CASE(bad_durations_are_errors_that_say_why) {
  for (auto [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"-1s", "a duration cannot be negative"},
           {"", "the value is empty"},
           {"abc", "expected a number followed by ms, s, m, h or d"},
           {"2x", "expected a number followed by ms, s, m, h or d"},
           {"s", "expected a number followed by ms, s, m, h or d"},
           {"1..5s", "expected a number followed by ms, s, m, h or d"},
           {"2w", "expected a number followed by ms, s, m, h or d"},
           {"1.5", "a number without a unit is whole milliseconds"},
           {"0.5ms", "the duration must be a whole number of milliseconds"},
           {"99999999999h", "it is longer than the maximum of 3650d"}}) {
    auto d = parse_duration(text);
    BOOST_REQUIRE_MESSAGE(!d, text);
    BOOST_CHECK_EQUAL(d.err().message, "invalid duration \"" + text + "\": " + why);
    BOOST_CHECK(d.err().code == error_code::invalid_argument);
  }
}

BOOST_AUTO_TEST_CASE(durations_beyond_the_maximum_are_refused_in_every_unit) {
  // 106752d is just past what a 64-bit count of nanoseconds holds; each unit's product is
  // checked before it is formed, and numbers past 64 bits are refused, not wrapped.
  for (std::string text :
       {"106752d", "3651d", "87601h", "5256001m", "315360001s", "315360000001ms", "315360000001",
        "18446744073709551616ms", "99999999999999999999999d", "3650.5d", "1e3d"}) {
    auto d = parse_duration(text);
    BOOST_REQUIRE_MESSAGE(!d, text);
    if (text != "1e3d") {
      BOOST_CHECK_EQUAL(d.err().message, "invalid duration \"" + text +
                                             "\": it is longer than the maximum of 3650d");
      BOOST_CHECK(is_too_long(d.err()));
    }
  }
  BOOST_CHECK(*parse_duration("3650d") == max_duration);
  BOOST_CHECK(*parse_duration("315360000000ms") == max_duration);
  BOOST_CHECK(!is_too_long(parse_duration("soon").err()));
}

BOOST_AUTO_TEST_CASE(
    a_timeout_beyond_7_days_is_a_configuration_error_naming_key_value_and_maximum) {
  for (auto [value, expected] : std::vector<std::pair<std::string, std::string>>{
           {"106752d", "a duration of at most 7d"}, {"8d", "a duration of at most 7d"}}) {
    config_inputs inputs;
    inputs.env = {{"SAGE_TIMEOUT__FULL", value}};
    auto err = load_config(inputs);
    BOOST_REQUIRE(!err);
    BOOST_CHECK(err.err().code == error_code::config);
    BOOST_CHECK_EQUAL(err.err().message,
                      "invalid value for timeout.full in environment variable SAGE_TIMEOUT__FULL: "
                      "expected " +
                          expected + ", got \"" + value + "\"");
  }
  config_inputs inputs;
  inputs.env = {{"SAGE_TIMEOUT__FULL", "7d"},
                {"SAGE_MEMORY__RETENTION__CONVERSATION__MAX_AGE", "3650d"}};
  auto cfg = load_config(inputs);
  BOOST_REQUIRE(cfg);
  BOOST_CHECK(cfg->timeout.full == max_delay);
  inputs.env = {{"SAGE_MEMORY__RETENTION__CONVERSATION__MAX_AGE", "3651d"}};
  BOOST_CHECK(!load_config(inputs));
}

BOOST_AUTO_TEST_CASE(formatted_durations_read_back) {
  for (auto ms : {0ms, 1ms, 250ms, 1500ms, 2000ms, 60000ms, 90000ms, 7200000ms, 2592000000ms}) {
    auto text = format_duration(ms);
    BOOST_CHECK_MESSAGE(*parse_duration(text) == ms, text);
  }
  BOOST_CHECK_EQUAL(format_duration(2000ms), "2s");
  BOOST_CHECK_EQUAL(format_duration(1500ms), "1500ms");
  BOOST_CHECK_EQUAL(format_duration(60000ms), "1m");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_output)

BOOST_AUTO_TEST_CASE(to_yaml_reads_back_to_the_same_configuration) {
  config_dir dir;
  config_inputs inputs;
  inputs.env = {{"HOME", "/home/ada"},
                {"SAGE_API_PORT", "8123"},
                {"SAGE_SEARCH__BM25__B", "0.3"},
                {"SAGE_KB_PATH", "/kb: with # signs"},
                {"SAGE_TEMPLATES__SECTIONS__RB", "RUNBOOK"}};
  auto cfg = load_ok(inputs);
  for (bool with_sources : {false, true}) {
    auto text = to_yaml(cfg, with_sources);
    config_inputs shown_inputs;
    shown_inputs.files = {dir.write("shown.yaml", text)};
    shown_inputs.env = {{"HOME", "/home/ada"}};
    auto again = load_ok(shown_inputs);
    BOOST_CHECK_EQUAL(to_json(again, false).dump(), to_json(cfg, false).dump());
  }
  auto shown = to_yaml(cfg, true);
  BOOST_CHECK(shown.find("api_port: 8123  # env SAGE_API_PORT") != std::string::npos);
  BOOST_CHECK(shown.find("b: 0.3  # env SAGE_SEARCH__BM25__B") != std::string::npos);
  BOOST_CHECK(shown.find("title: 3.0  # default") != std::string::npos);
  BOOST_CHECK(shown.find("rb: RUNBOOK  # env SAGE_TEMPLATES__SECTIONS__RB") != std::string::npos);
  BOOST_CHECK(shown.find("layer: 2s  # default") != std::string::npos);
  BOOST_CHECK(to_yaml(cfg, false).find('#') == to_yaml(cfg, false).find("# signs"));
}

BOOST_AUTO_TEST_CASE(shown_configuration_never_contains_the_api_key) {
  config_inputs inputs;
  inputs.env = {{"SAGE_API_KEY", "s3cret-key"}};
  auto cfg = load_ok(inputs);
  BOOST_CHECK_EQUAL(cfg.api_key, "s3cret-key");
  BOOST_CHECK(to_yaml(cfg, true).find("s3cret") == std::string::npos);
  BOOST_CHECK(to_yaml(cfg, true).find("api_key: <redacted>  # env SAGE_API_KEY") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(to_json(cfg, false)["server"]["api_key"], "<redacted>");
  BOOST_CHECK(to_json(cfg, true).dump().find("s3cret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(to_json_nests_keys_and_lists_sources_on_request) {
  config_inputs inputs;
  inputs.env = {{"SAGE_TIMEOUT__LAYER", "3s"}};
  auto cfg = load_ok(inputs);
  auto plain = to_json(cfg, false);
  BOOST_CHECK_EQUAL(plain["timeout"]["layer"], "3s");
  BOOST_CHECK_EQUAL(plain["timeout"]["breaker"]["failures"], 3);
  BOOST_CHECK_EQUAL(plain["search"]["bm25"]["k1"], 1.2);
  BOOST_CHECK_EQUAL(plain["knowledge"]["layers"][0]["folder"], "INDEX.md");
  BOOST_CHECK_EQUAL(plain["server"]["api_port"], 8000);
  BOOST_CHECK(!plain.contains("sources"));
  auto with = to_json(cfg, true);
  BOOST_CHECK_EQUAL(with["sources"]["timeout.layer"], "env SAGE_TIMEOUT__LAYER");
  BOOST_CHECK_EQUAL(with["sources"]["server.api_port"], "default");
}

BOOST_AUTO_TEST_CASE(standard_inputs_follow_the_documented_locations) {
  auto inputs = standard_config_inputs();
  BOOST_REQUIRE_GE(inputs.files.size(), 2u);
  BOOST_CHECK_EQUAL(inputs.files.front(), "/etc/sage/sage.yaml");
  BOOST_CHECK(inputs.files.back().ends_with("sage.yaml"));
  BOOST_REQUIRE(inputs.dotenv_file);
  BOOST_CHECK(inputs.dotenv_file->ends_with(".env"));
  BOOST_CHECK(!inputs.explicit_file);
  BOOST_CHECK(inputs.flags.empty());
}

BOOST_AUTO_TEST_SUITE_END()
