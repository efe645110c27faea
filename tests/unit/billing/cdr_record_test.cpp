// The CDR of one INVITE leg: the reference mediator's status mapping and
// the stored document the API views read.
#include "billing/cdr/cdr_record.hpp"

#include <catch2/catch.hpp>

using namespace sb::billing;

TEST_CASE("cdr: call_status from the leg's final code, as the mediator maps "
          "it",
          "[cdr]") {
  CHECK(status_of(200) == call_status::ok);
  CHECK(status_of(486) == call_status::busy);
  CHECK(status_of(480) == call_status::noanswer);
  CHECK(status_of(487) == call_status::cancel);
  CHECK(status_of(404) == call_status::offline);
  CHECK(status_of(408) == call_status::timeout);
  for (int other : {403, 500, 503, 600, 603, 183})
    CHECK(status_of(other) == call_status::other);
  CHECK(status_of(std::nullopt) == call_status::failed);
  CHECK(to_string(call_status::noanswer) == "noanswer");
  CHECK(to_string(call_status::failed) == "failed");
  CHECK(to_string(call_type::cfna) == "cfna");
  CHECK(to_string(call_type::call) == "call");
}

TEST_CASE("cdr: the stored document has the reference columns and the API's "
          "members",
          "[cdr]") {
  cdr_record r;
  r.call_id = "a84b4c76e66710";
  r.status = status_of(200);
  r.code = 200;
  r.init_ms = 1'700'000'000'123;
  r.start_ms = 1'700'000'004'500;
  r.duration_ms = 61'250;
  r.source = {"uuid-11", 11,   22,           1, "alice", "example.org",
              "4311000", true, "203.0.113.5"};
  r.destination = {"uuid-12",     12,        22,    1, "bob",
                   "example.org", "4312000", false, ""};
  r.destination_user_dialed = "2000";
  r.destination_user_in = "4312000";
  r.destination_domain_in = "example.org";
  auto d = cdr_document(r);
  CHECK(d.at("call_id") == "a84b4c76e66710");
  CHECK(d.at("call_type") == "call");
  CHECK(d.at("call_status") == "ok");
  CHECK(d.at("call_code") == "200");
  CHECK(d.at("init_time").get<double>() == Approx(1700000000.123));
  CHECK(d.at("start_time").get<double>() == Approx(1700000004.5));
  CHECK(d.at("duration").get<double>() == Approx(61.25));
  CHECK(d.at("source_user_id") == "uuid-11");
  CHECK(d.at("source_account_id") == 22);
  CHECK(d.at("source_user") == "alice");
  CHECK(d.at("source_cli") == "4311000");
  CHECK(d.at("source_clir") == true);
  CHECK(d.at("source_ip") == "203.0.113.5");
  CHECK(d.at("destination_user") == "bob");
  CHECK(d.at("destination_user_dialed") == "2000");
  CHECK(d.at("destination_user_in") == "4312000");
  CHECK(d.at("_source_subscriber_id") == 11);
  CHECK(d.at("_destination_subscriber_id") == 12);
  CHECK(d.at("_source_reseller_id") == 1);
  CHECK(d.at("_destination_reseller_id") == 1);
  CHECK(d.at("rating_status") == "unrated");
  CHECK(d.at("export_status") == "unexported");
  CHECK(d.at("source_customer_cost") == 0);

  SECTION("an unanswered leg has no duration and an off-net party no ids") {
    cdr_record u;
    u.call_id = "x";
    u.status = status_of(std::nullopt);
    u.destination.user = "4399999";
    auto e = cdr_document(u);
    CHECK(e.at("call_status") == "failed");
    CHECK(e.at("call_code") == "");
    CHECK(e.at("duration").get<double>() == 0.0);
    CHECK(e.at("destination_user_id") == "");
    CHECK(e.at("_destination_subscriber_id") == 0);
  }
}
