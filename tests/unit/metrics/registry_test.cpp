#include "common/metrics/registry.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <thread>

using namespace sb::metrics;

TEST_CASE("metrics: counters render with HELP, TYPE and sorted children",
          "[metrics]") {
  registry reg;
  auto fam = reg.add_counter("sb_sip_requests_total", "SIP requests seen.",
                             {"method", "code"});
  REQUIRE(fam);
  auto& invite_200 = (*fam)->with({"INVITE", "200"});
  auto& bye_200 = (*fam)->with({"BYE", "200"});
  invite_200.inc();
  invite_200.inc(2);
  bye_200.inc();
  CHECK(&(*fam)->with({"INVITE", "200"}) == &invite_200);
  CHECK(reg.render() == "# HELP sb_sip_requests_total SIP requests seen.\n"
                        "# TYPE sb_sip_requests_total counter\n"
                        "sb_sip_requests_total{method=\"BYE\",code=\"200\"} 1\n"
                        "sb_sip_requests_total{method=\"INVITE\",code=\"200\"} "
                        "3\n");
}

TEST_CASE("metrics: families are ordered by name and unlabelled metrics "
          "start at zero",
          "[metrics]") {
  registry reg;
  REQUIRE(reg.add_gauge("zeta", "Last."));
  REQUIRE(reg.add_counter("alpha_total", "First."));
  REQUIRE(reg.add_gauge("mid", "Labelled, no child yet.", {"kind"}));
  CHECK(reg.render() == "# HELP alpha_total First.\n"
                        "# TYPE alpha_total counter\n"
                        "alpha_total 0\n"
                        "# HELP zeta Last.\n"
                        "# TYPE zeta gauge\n"
                        "zeta 0\n");
  CHECK(reg.size() == 3);
}

TEST_CASE("metrics: counter keeps integers exact and accepts fractions",
          "[metrics]") {
  registry reg;
  auto& c = (*reg.add_counter("big_total", "h"))->with({});
  c.inc(9007199254740993ull); // 2^53 + 1: not representable as a double
  CHECK(reg.render().find("big_total 9007199254740993\n") != std::string::npos);

  auto& cpu = (*reg.add_counter("cpu_seconds_total", "h"))->with({});
  cpu.add(0.25);
  cpu.inc();
  cpu.add(-5); // dropped: counters never go down
  CHECK(cpu.value() == 1.25);
  CHECK(reg.render().find("cpu_seconds_total 1.25\n") != std::string::npos);
}

TEST_CASE("metrics: gauge set/inc/dec and callback", "[metrics]") {
  registry reg;
  auto fam = reg.add_gauge("sb_actor_count", "Live actors.", {"kind"});
  REQUIRE(fam);
  auto& calls = (*fam)->with({"call"});
  calls.set(10);
  calls.inc();
  calls.dec(2.5);
  double depth = 7;
  (*fam)->with({"subscriber"}).set_callback([&] { return depth; });
  CHECK(reg.render() == "# HELP sb_actor_count Live actors.\n"
                        "# TYPE sb_actor_count gauge\n"
                        "sb_actor_count{kind=\"call\"} 8.5\n"
                        "sb_actor_count{kind=\"subscriber\"} 7\n");
  depth = 42;
  CHECK(reg.render().find("{kind=\"subscriber\"} 42\n") != std::string::npos);
  (*fam)->with({"subscriber"}).clear_callback();
  CHECK(reg.render().find("{kind=\"subscriber\"} 0\n") != std::string::npos);
}

TEST_CASE("metrics: histogram has cumulative buckets, +Inf, sum and count",
          "[metrics]") {
  registry reg;
  auto fam = reg.add_histogram("sb_rpc_duration_seconds", "RPC latency.",
                               {0.25, 0.5, 1}, {"method"});
  REQUIRE(fam);
  auto& h = (*fam)->with({"call.list"});
  for (double v : {0.125, 0.25, 0.375, 0.75, 3.0})
    h.observe(v);
  CHECK(reg.render() ==
        "# HELP sb_rpc_duration_seconds RPC latency.\n"
        "# TYPE sb_rpc_duration_seconds histogram\n"
        "sb_rpc_duration_seconds_bucket{method=\"call.list\",le=\"0.25\"} 2\n"
        "sb_rpc_duration_seconds_bucket{method=\"call.list\",le=\"0.5\"} 3\n"
        "sb_rpc_duration_seconds_bucket{method=\"call.list\",le=\"1\"} 4\n"
        "sb_rpc_duration_seconds_bucket{method=\"call.list\",le=\"+Inf\"} 5\n"
        "sb_rpc_duration_seconds_sum{method=\"call.list\"} 4.5\n"
        "sb_rpc_duration_seconds_count{method=\"call.list\"} 5\n");
}

TEST_CASE("metrics: unlabelled histogram", "[metrics]") {
  registry reg;
  auto fam = reg.add_histogram("h_seconds", "h", {1, 2});
  REQUIRE(fam);
  (*fam)->with({}).observe(1.5);
  CHECK(reg.render() == "# HELP h_seconds h\n"
                        "# TYPE h_seconds histogram\n"
                        "h_seconds_bucket{le=\"1\"} 0\n"
                        "h_seconds_bucket{le=\"2\"} 1\n"
                        "h_seconds_bucket{le=\"+Inf\"} 1\n"
                        "h_seconds_sum 1.5\n"
                        "h_seconds_count 1\n");
}

TEST_CASE("metrics: label values and help are escaped", "[metrics]") {
  registry reg;
  auto fam = reg.add_counter("esc_total", "Line one\nback\\slash \"q\"", {"v"});
  REQUIRE(fam);
  (*fam)->with({"a\"b\\c\nd"}).inc();
  CHECK(reg.render() == "# HELP esc_total Line one\\nback\\\\slash \"q\"\n"
                        "# TYPE esc_total counter\n"
                        "esc_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("metrics: re-registration returns the family or fails", "[metrics]") {
  registry reg;
  auto a = reg.add_counter("x_total", "h", {"l"});
  REQUIRE(a);
  auto again = reg.add_counter("x_total", "other help", {"l"});
  REQUIRE(again);
  CHECK(*again == *a);

  auto as_gauge = reg.add_gauge("x_total", "h", {"l"});
  REQUIRE_FALSE(as_gauge);
  CHECK(as_gauge.err().message.find("already registered as a counter") !=
        std::string::npos);
  CHECK_FALSE(reg.add_counter("x_total", "h", {"other"}));
  CHECK_FALSE(reg.add_counter("x_total", "h"));

  REQUIRE(reg.add_histogram("lat", "h", {1, 2}));
  CHECK(reg.add_histogram("lat", "h",
                          {1, 2, std::numeric_limits<double>::infinity()}));
  CHECK_FALSE(reg.add_histogram("lat", "h", {1, 3}));
  CHECK(reg.size() == 2);
}

TEST_CASE("metrics: names, labels and buckets are validated", "[metrics]") {
  registry reg;
  CHECK_FALSE(reg.add_counter("", "h"));
  CHECK_FALSE(reg.add_counter("1abc", "h"));
  CHECK_FALSE(reg.add_counter("a-b", "h"));
  CHECK(reg.add_counter("ns:sub_total", "h"));
  CHECK(reg.add_counter("_x", "h"));
  CHECK_FALSE(reg.add_counter("y", "h", {"a:b"}));
  CHECK_FALSE(reg.add_counter("y", "h", {"__reserved"}));
  CHECK_FALSE(reg.add_counter("y", "h", {"a", "a"}));
  CHECK_FALSE(reg.add_histogram("z", "h", {1}, {"le"}));
  CHECK_FALSE(reg.add_histogram("z", "h", {2, 1}));
  CHECK_FALSE(reg.add_histogram("z", "h", {1, 1}));
  CHECK_FALSE(reg.add_histogram("z", "h", {std::nan("")}));
  CHECK(reg.size() == 2);

  CHECK(valid_metric_name("sb_sip_requests_total"));
  CHECK(valid_label_name("method"));
  CHECK_FALSE(valid_label_name("9x"));
}

TEST_CASE("metrics: value formatting", "[metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(0.005) == "0.005");
  CHECK(format_value(-2.5) == "-2.5");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
  CHECK(escape_label_value("plain") == "plain");
}

TEST_CASE("metrics: concurrent increments are not lost", "[metrics]") {
  registry reg;
  auto& c = (*reg.add_counter("n_total", "h"))->with({});
  auto& g = (*reg.add_gauge("g", "h"))->with({});
  auto& h = (*reg.add_histogram("d", "h", {1}))->with({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        g.inc();
        h.observe(0.5);
      }
    });
  for (auto& t : threads)
    t.join();
  CHECK(c.integer_part() == 40000);
  CHECK(g.value() == 40000);
  CHECK(h.count() == 40000);
}

TEST_CASE("metrics: default registry is one process-wide instance",
          "[metrics]") {
  CHECK(&default_registry() == &default_registry());
}
