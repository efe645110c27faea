#include "common/prefs/preference_catalogue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using nlohmann::json;
namespace prefs = sb::prefs;

TEST_CASE("preference catalogue is sorted, unique and findable", "[prefs]") {
  const auto& all = prefs::catalogue();
  REQUIRE(all.size() > 40);
  CHECK(std::is_sorted(all.begin(), all.end(),
                       [](auto& a, auto& b) { return a.name < b.name; }));
  CHECK(std::adjacent_find(all.begin(), all.end(), [](auto& a, auto& b) {
          return a.name == b.name;
        }) == all.end());
  for (const char* name :
       {"lock", "concurrent_max", "concurrent_max_out", "allowed_ips",
        "man_allowed_ips", "block_in_list", "block_out_list", "ncos", "cli",
        "user_cli", "clir", "ringtimeout", "max_call_duration",
        "rewrite_rule_set", "codecs_list"}) {
    INFO(name);
    CHECK(prefs::find(name) != nullptr);
  }
  CHECK(prefs::find("no_such_pref") == nullptr);
  for (const auto& d : all) {
    INFO(d.name);
    CHECK(d.levels != 0);
    CHECK_FALSE(d.description.empty());
  }
}

TEST_CASE("preference values are checked by type, range and format",
          "[prefs]") {
  const auto& max = *prefs::find("concurrent_max");
  CHECK_FALSE(prefs::check_value(max, 3));
  CHECK_FALSE(prefs::check_value(max, "3"));
  CHECK(prefs::check_value(max, -1) ==
        "Value must be between 0 and 2147483647");
  CHECK(prefs::check_value(max, "x") == "Not a valid integer");
  CHECK(prefs::check_value(max, json::array({1})) ==
        "Preference takes a single value, not a list");
  CHECK(prefs::normalize_value(max, "7") == 7);

  const auto& clir = *prefs::find("clir");
  CHECK_FALSE(prefs::check_value(clir, true));
  CHECK_FALSE(prefs::check_value(clir, 1));
  CHECK(prefs::check_value(clir, 2) == "Not a valid boolean");
  CHECK(prefs::normalize_value(clir, 0) == false);

  const auto& ips = *prefs::find("allowed_ips");
  CHECK_FALSE(prefs::check_value(
      ips, json::array({"10.0.0.0/8", "::1", "2001:db8::/32"})));
  CHECK(prefs::check_value(ips, json::array({"10.0.0.0/33"})));
  CHECK(prefs::check_value(ips, json::array({"host.example"})));
  CHECK(prefs::normalize_value(ips, "192.0.2.1") == json::array({"192.0.2.1"}));

  const auto& cli = *prefs::find("cli");
  CHECK_FALSE(prefs::check_value(cli, "4315550100"));
  CHECK(prefs::check_value(cli, "+43155"));

  const auto& sst = *prefs::find("sst_refresh_method");
  CHECK_FALSE(prefs::check_value(sst, "UPDATE"));
  CHECK(prefs::check_value(sst, "PING") == "Not a valid choice");

  const auto& codecs = *prefs::find("codecs_list");
  CHECK_FALSE(prefs::check_value(codecs, "PCMA,PCMU,telephone-event"));
  CHECK(prefs::check_value(codecs, "PCMA,,PCMU"));
}

TEST_CASE("preference definitions describe themselves like the reference",
          "[prefs]") {
  auto d = prefs::describe(*prefs::find("block_out_list"));
  CHECK(d["data_type"] == "string");
  CHECK(d["max_occur"] == 0);
  CHECK(d["usr_pref"] == true);
  auto e = prefs::describe(*prefs::find("nat_sipping"));
  CHECK(e["data_type"] == "enum");
  CHECK(e["enum_values"].size() == 2);
}
