// Every registered message type survives CAF's binary serializer inside a caf::message, the
// way it travels to a remote node; errors keep their code, message and hint.
// SPDX-License-Identifier: MIT
#include "actors/atoms.hpp"
#include "actors/error.hpp"
#include "actors/system_config.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>

using namespace sage;

namespace {

struct system_fixture {
  actors::system_config cfg;
  caf::actor_system sys{cfg};

  /// Serialises `x` inside a message and reads it back, as the network layer does.
  template <class T> T round_trip(const T& x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    auto msg = caf::make_message(x);
    if (auto err = sink(msg)) BOOST_FAIL("serialising failed: " << sys.render(err));
    caf::message back;
    caf::binary_deserializer source{sys, buf};
    if (auto err = source(back)) BOOST_FAIL("deserialising failed: " << sys.render(err));
    BOOST_REQUIRE(back.match_element<T>(0));
    return back.get_as<T>(0);
  }
};

core::load_result sample_load_result() {
  core::load_result r;
  r.content = "<!-- source: a.md#x -->\n# X\n\nÜnïcödé text\n";
  r.tokens = 17;
  r.status = "partial";
  r.complete = false;
  r.duration_ms = 1.25;
  r.timeout_ms = 5000;
  r.files_loaded = {"a.md"};
  r.layers = {"core"};
  r.sections = {{"a.md#x", 12, 3.5}};
  r.omitted = {{"b.md#y", 40, 1.5}, {"c.md", 7, 0.25}};
  r.budget_limit = 20;
  r.errors = {"timed out after 5s"};
  r.index = {42, "2026-01-01T00:00:00.000Z"};
  return r;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(messages, system_fixture)

BOOST_AUTO_TEST_CASE(load_results_round_trip) {
  auto x = sample_load_result();
  auto y = round_trip(x);
  BOOST_TEST(y.content == x.content);
  BOOST_TEST(y.tokens == x.tokens);
  BOOST_TEST(y.status == x.status);
  BOOST_TEST(y.complete == x.complete);
  BOOST_TEST(y.duration_ms == x.duration_ms);
  BOOST_TEST(y.timeout_ms == x.timeout_ms);
  BOOST_TEST(y.files_loaded == x.files_loaded);
  BOOST_TEST(y.layers == x.layers);
  BOOST_REQUIRE(y.omitted.size() == 2u);
  BOOST_TEST(y.omitted[1].id == "c.md");
  BOOST_TEST(y.omitted[1].score == 0.25);
  BOOST_TEST(y.sections[0].tokens == 12u);
  BOOST_TEST(y.budget_limit == 20u);
  BOOST_TEST(y.errors == x.errors);
  BOOST_TEST(y.index.generation == 42u);
  BOOST_TEST(y.index.built_at == x.index.built_at);
}

BOOST_AUTO_TEST_CASE(search_types_round_trip) {
  core::search_answer a;
  a.query = "timeout 東京";
  a.results = {
      {"p.md", "knowledge://core/p.md", "T", "S", "p.md#s", "core", "…**timeout**…", 2.5, 99}};
  a.duration_ms = 0.5;
  a.index = {3, "now"};
  auto b = round_trip(a);
  BOOST_TEST(b.query == a.query);
  BOOST_REQUIRE(b.results.size() == 1u);
  BOOST_TEST(b.results[0].uri == "knowledge://core/p.md");
  BOOST_TEST(b.results[0].snippet == a.results[0].snippet);
  BOOST_TEST(b.results[0].tokens == 99u);
  BOOST_TEST(b.index.generation == 3u);
  core::search_params p{"q", 5, {"core"}, {"t"}, true};
  auto q = round_trip(p);
  BOOST_TEST(q.query == "q");
  BOOST_TEST(q.limit == 5);
  BOOST_TEST(q.layers == p.layers);
  BOOST_TEST(q.tags == p.tags);
  BOOST_TEST(q.include_retired);
  BOOST_TEST(round_trip(core::section_ref{"x#y", 3, 1.0}).id == "x#y");
  BOOST_TEST(round_trip(core::index_stamp{7, "t"}).generation == 7u);
  BOOST_TEST(round_trip(std::vector<core::section_ref>{{"a", 1, 0}, {"b", 2, 0}}).size() == 2u);
  BOOST_TEST(round_trip(std::vector<core::search_item>(3)).size() == 3u);
  BOOST_TEST(round_trip(core::search_item{}).path.empty());
}

BOOST_AUTO_TEST_CASE(requests_round_trip) {
  auto g = round_trip(actors::get_request{"knowledge://core", 100, true});
  BOOST_TEST(g.target == "knowledge://core");
  BOOST_TEST(g.budget == 100u);
  BOOST_TEST(g.include_retired);
  auto c = round_trip(actors::context_request{"add retries", 4000, {"guidelines"}});
  BOOST_TEST(c.task == "add retries");
  BOOST_TEST(c.layers == std::vector<std::string>{"guidelines"});
  auto n = round_trip(actors::named_request{2, "adr", 50});
  BOOST_TEST(n.kind == 2);
  BOOST_TEST(n.name == "adr");
}

BOOST_AUTO_TEST_CASE(errors_keep_code_message_and_hint) {
  auto core_err =
      core::make_error(core::error_code::not_found, "no such document: x", "run `sage search`");
  auto err = actors::to_caf_error(core_err);
  BOOST_TEST(err.category() == caf::atom("sage"));
  auto back = actors::to_core_error(round_trip(err), sys);
  BOOST_TEST(back.code == core::error_code::not_found);
  BOOST_TEST(back.message == "no such document: x");
  BOOST_TEST(back.hint == "run `sage search`");
  BOOST_TEST(sys.render(err).find("sage: not_found") != std::string::npos);
  for (int code = 0; code <= static_cast<int>(core::error_code::internal); ++code) {
    auto e = actors::to_core_error(
        actors::to_caf_error(core::make_error(static_cast<core::error_code>(code), "m", "h")), sys);
    BOOST_TEST(static_cast<int>(e.code) == code);
  }
  BOOST_TEST(std::string(actors::to_string(actors::ec::breaker_open)) == "breaker_open");
}

BOOST_AUTO_TEST_SUITE_END()
