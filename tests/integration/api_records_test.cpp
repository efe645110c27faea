// Contract tests of the read-only record views: /api/subscriberregistrations
// (the registrar's bindings), /api/cdrs and /api/calllists (the call actors'
// CDRs). Records are seeded straight into the store, shaped as
// mgmt/api/resources/records.cpp documents them.
#include "tests/integration/api_contract_helpers.hpp"

#include <map>

using Catch::Matchers::Contains;
using nlohmann::json;
using sb::persistence::cf;
using sb::test::admin_login;
using sb::test::api_fixture;
using sb::test::credentials;
using namespace sb::test::contract;

namespace {

// 2023-11-14 22:13:20 UTC.
constexpr int64_t t0 = 1700000000;

std::string num(uint64_t id) {
  return std::to_string(id);
}

/// Who calls whom in the seeded records. Reseller 1: customer `cust` with
/// alice (web login alice@voip.example) and bob. Reseller r2: customer
/// `cust2` with zed.
struct world {
  uint64_t cust = 0;
  uint64_t alice = 0;
  uint64_t bob = 0;
  uint64_t r2 = 0;
  uint64_t cust2 = 0;
  uint64_t zed = 0;
};

const credentials alice_login{"alice@voip.example", "alicepw1"};
const credentials r2_login{"r2admin", "r2secret"};

world make_world(api_fixture& f) {
  world w;
  w.cust = f.customer();
  auto dom = f.domain("voip.example");
  w.alice = f.subscriber(
      w.cust, dom, "alice",
      {{"webusername", "alice"},
       {"webpassword", "alicepw1"},
       {"primary_number", {{"cc", "43"}, {"ac", "1"}, {"sn", "1000"}}}});
  w.bob = f.subscriber(
      w.cust, dom, "bob",
      {{"primary_number", {{"cc", "43"}, {"ac", "1"}, {"sn", "2000"}}}});
  w.r2 = f.reseller("r2", r2_login.user, r2_login.password);
  w.cust2 = f.customer(w.r2);
  w.zed = f.subscriber(w.cust2, f.domain("r2.example", w.r2), "zed");
  return w;
}

/// One CDR: `from` calls `to` (0 for a number off the platform).
struct call {
  uint64_t id;
  uint64_t from_sub, from_cust, from_reseller;
  std::string from_cli;
  uint64_t to_sub, to_cust, to_reseller;
  std::string to_number;
  std::string status;
  int64_t start;
  int duration;
};

json cdr_doc(const call& c) {
  return {{"call_id", "call-" + num(c.id)},
          {"call_type", c.id == 4 ? "cfu" : "call"},
          {"call_status", c.status},
          {"rating_status", "ok"},
          {"source_user_id", c.from_sub ? "uuid-" + num(c.from_sub) : ""},
          {"source_cli", c.from_cli},
          {"source_clir", false},
          {"source_account_id", c.from_cust},
          {"destination_user_id", c.to_sub ? "uuid-" + num(c.to_sub) : ""},
          {"destination_user_in", c.to_number},
          {"destination_account_id", c.to_cust},
          {"init_time", c.start - 5},
          {"start_time", c.start},
          {"duration", c.duration},
          {"source_customer_cost", 10 * c.id},
          {"destination_customer_cost", c.id},
          {"source_customer_free_time", 0},
          {"destination_customer_free_time", 0},
          {"_source_subscriber_id", c.from_sub},
          {"_destination_subscriber_id", c.to_sub},
          {"_source_reseller_id", c.from_reseller},
          {"_destination_reseller_id", c.to_reseller}};
}

/// 1: alice -> bob, 2: alice -> off-net (busy), 3: zed -> alice,
/// 4: off-net -> zed (a forward); an hour apart from t0.
void seed_calls(api_fixture& f, const world& w) {
  const std::vector<call> calls{
      {1, w.alice, w.cust, 1, "4311000", w.bob, w.cust, 1, "4312000", "ok", t0,
       60},
      {2, w.alice, w.cust, 1, "4311000", 0, 0, 0, "4399999", "busy", t0 + 3600,
       0},
      {3, w.zed, w.cust2, w.r2, "4322222", w.alice, w.cust, 1, "4311000", "ok",
       t0 + 7200, 30},
      {4, 0, 0, 0, "4988888", w.zed, w.cust2, w.r2, "4322222", "ok", t0 + 10800,
       5},
  };
  for (const auto& c : calls)
    seed(f, cf::cdrs, "cdrs", c.id, cdr_doc(c));
}

json registration(uint64_t sub, uint64_t cust, uint64_t reseller,
                  const std::string& contact, const std::string& agent) {
  return {{"subscriber_id", sub},
          {"customer_id", cust},
          {"reseller_id", reseller},
          {"contact", contact},
          {"expires", "2030-01-01 00:00:00"},
          {"q", 1.0},
          {"path", nullptr},
          {"nat", false},
          {"received", nullptr},
          {"socket", "udp:192.0.2.1:5060"},
          {"user_agent", agent},
          {"call_id", "reg-" + contact}};
}

/// The calllist entries of a request, keyed by id.
std::map<uint64_t, json> calllist(api_fixture& f, const std::string& query,
                                  const credentials& who = admin_login) {
  std::map<uint64_t, json> out;
  for (const auto& c :
       embedded(list(f, "calllists", "rows=100&" + query, who), "calllists"))
    out[c["id"].get<uint64_t>()] = c;
  return out;
}

std::vector<uint64_t> keys(const std::map<uint64_t, json>& m) {
  std::vector<uint64_t> out;
  for (const auto& [k, v] : m)
    out.push_back(k);
  return out;
}

using ids_t = std::vector<uint64_t>;

} // namespace

TEST_CASE("api subscriberregistrations are read-only and scoped",
          "[api][records]") {
  api_fixture f;
  auto w = make_world(f);
  seed(f, cf::registrations, "registrations", 1,
       registration(w.alice, w.cust, 1, "sip:alice@10.0.0.1:5060", "Phone A"));
  seed(
      f, cf::registrations, "registrations", 2,
      registration(w.alice, w.cust, 1, "sip:alice@10.0.0.2:5060", "Softphone"));
  seed(f, cf::registrations, "registrations", 3,
       registration(w.bob, w.cust, 1, "sip:bob@10.0.0.3:5060", "Phone B"));
  seed(f, cf::registrations, "registrations", 4,
       registration(w.zed, w.cust2, w.r2, "sip:zed@10.0.0.4:5060", "Phone Z"));

  CHECK(total(f, "subscriberregistrations") == 4);
  CHECK(ids(f, "subscriberregistrations", "subscriber_id=" + num(w.alice)) ==
        ids_t{1, 2});
  CHECK(ids(f, "subscriberregistrations", "contact=*10.0.0.3*") == ids_t{3});
  CHECK(ids(f, "subscriberregistrations", "user_agent=phone*") ==
        ids_t{1, 3, 4});
  auto sorted = list(f, "subscriberregistrations",
                     "order_by=contact&order_by_direction="
                     "desc&rows=2");
  REQUIRE(embedded(sorted, "subscriberregistrations").size() == 2);
  CHECK(embedded(sorted, "subscriberregistrations")[0]["id"] == 4);
  CHECK(embedded(sorted, "subscriberregistrations")[1]["id"] == 3);
  CHECK(sorted.json["_links"]["next"]["href"] ==
        "/api/subscriberregistrations/?page=2&rows=2&order_by=contact&"
        "order_by_direction=desc");

  auto one = f.call("GET", "/api/subscriberregistrations/1");
  REQUIRE(one.status == 200);
  CHECK(one.json["contact"] == "sip:alice@10.0.0.1:5060");
  CHECK(one.json["expires"] == "2030-01-01 00:00:00");
  CHECK(one.json["user_agent"] == "Phone A");
  CHECK(one.json["subscriber_id"] == w.alice);
  CHECK(one.json["_links"]["ngcp:subscribers"]["href"] ==
        item("subscribers", w.alice));
  auto none = f.call("GET", "/api/subscriberregistrations/99");
  CHECK(none.status == 404);
  CHECK(message(none) == "Entity 'subscriberregistration' not found.");

  // A subscriber sees its own bindings, a reseller those of its subscribers.
  CHECK(ids(f, "subscriberregistrations", "", alice_login) == ids_t{1, 2});
  CHECK(
      f.call("GET", "/api/subscriberregistrations/3", std::nullopt, alice_login)
          .status == 404);
  CHECK(
      f.call("GET", "/api/subscriberregistrations/1", std::nullopt, alice_login)
          .status == 200);
  CHECK(ids(f, "subscriberregistrations", "", r2_login) == ids_t{4});
  CHECK(f.call("GET", "/api/subscriberregistrations/1", std::nullopt, r2_login)
            .status == 404);

  // Read-only.
  CHECK(f.call("POST", "/api/subscriberregistrations/",
               registration(w.bob, w.cust, 1, "sip:x@10.0.0.9", "X"))
            .status == 405);
  CHECK(f.call("PUT", "/api/subscriberregistrations/1", one.json).status ==
        405);
  CHECK(f.call("PATCH", "/api/subscriberregistrations/1",
               patch_op("replace", "/contact", "sip:evil@10.6.6.6"))
            .status == 405);
  CHECK(f.call("DELETE", "/api/subscriberregistrations/1").status == 405);
  CHECK(
      f.call("GET", "/api/subscriberregistrations/", std::nullopt, std::nullopt)
          .status == 401);
  CHECK(total(f, "subscriberregistrations") == 4);
  CHECK(f.call("GET", "/api/subscriberregistrations/1").json["contact"] ==
        "sip:alice@10.0.0.1:5060");
}

TEST_CASE("api cdrs: filters, ordering and reseller scoping",
          "[api][records]") {
  api_fixture f;
  auto w = make_world(f);
  seed_calls(f, w);

  CHECK(ids(f, "cdrs") == ids_t{1, 2, 3, 4});
  CHECK(ids(f, "cdrs", "call_status=busy") == ids_t{2});
  CHECK(ids(f, "cdrs", "call_status=ok") == ids_t{1, 3, 4});
  CHECK(ids(f, "cdrs", "call_id=call-3") == ids_t{3});
  CHECK(ids(f, "cdrs", "call_type=cfu") == ids_t{4});
  CHECK(ids(f, "cdrs", "source_account_id=" + num(w.cust)) == ids_t{1, 2});
  CHECK(ids(f, "cdrs", "destination_account_id=" + num(w.cust)) == ids_t{1, 3});
  // Time bounds take Unix seconds or "YYYY-MM-DD[ HH:MM:SS]" in UTC.
  CHECK(ids(f, "cdrs", "start_ge=" + num(t0 + 3600)) == ids_t{2, 3, 4});
  CHECK(ids(f, "cdrs", "start_ge=" + num(t0 + 3601)) == ids_t{3, 4});
  CHECK(ids(f, "cdrs", "start_le=2023-11-14%2022:13:20") == ids_t{1});
  CHECK(ids(f, "cdrs", "start_le=2023-11-14%2022:13:19") == ids_t{});
  CHECK(ids(f, "cdrs",
            "start_ge=2023-11-14%2023:00:00&start_le=" + num(t0 + 7200)) ==
        ids_t{2, 3});
  CHECK(ids(f, "cdrs", "start_ge=2023-11-15") == ids_t{3, 4});
  CHECK(ids(f, "cdrs", "start_ge=yesterday") == ids_t{});
  auto desc = list(f, "cdrs", "order_by=start_time&order_by_direction=desc");
  CHECK(embedded(desc, "cdrs")[0]["id"] == 4);
  CHECK(embedded(desc, "cdrs")[3]["id"] == 1);
  auto paged = list(f, "cdrs", "rows=3&call_status=ok");
  CHECK(paged.json["total_count"] == 3);
  CHECK_FALSE(paged.json["_links"].contains("next"));

  auto one = f.call("GET", "/api/cdrs/3");
  REQUIRE(one.status == 200);
  CHECK(one.json["call_id"] == "call-3");
  CHECK(one.json["source_cli"] == "4322222");
  CHECK(one.json["destination_user_in"] == "4311000");
  CHECK(one.json["start_time"] == t0 + 7200);
  CHECK(one.json["duration"] == 30);
  CHECK(one.json["_links"]["self"]["href"] == "/api/cdrs/3");
  // The private routing members stay private.
  for (const char* hidden :
       {"_source_subscriber_id", "_destination_subscriber_id",
        "_source_reseller_id", "_destination_reseller_id"})
    CHECK_FALSE(one.json.contains(hidden));
  CHECK(f.call("GET", "/api/cdrs/99").status == 404);

  // A reseller sees the calls with one of its subscribers on either side.
  CHECK(ids(f, "cdrs", "", r2_login) == ids_t{3, 4});
  CHECK(ids(f, "cdrs", "call_status=ok", r2_login) == ids_t{3, 4});
  CHECK(f.call("GET", "/api/cdrs/3", std::nullopt, r2_login).status == 200);
  for (const char* theirs : {"/api/cdrs/1", "/api/cdrs/2"}) {
    auto r = f.call("GET", theirs, std::nullopt, r2_login);
    CHECK(r.status == 404);
    CHECK(message(r) == "Entity 'cdr' not found.");
  }
  // Subscribers have call lists instead.
  CHECK(f.call("GET", "/api/cdrs/", std::nullopt, alice_login).status == 403);
  CHECK(f.call("GET", "/api/cdrs/1", std::nullopt, alice_login).status == 403);

  // Read-only.
  CHECK(f.call("POST", "/api/cdrs/", one.json).status == 405);
  CHECK(f.call("PUT", "/api/cdrs/1", one.json).status == 405);
  CHECK(f.call("DELETE", "/api/cdrs/1").status == 405);
  CHECK(f.call("GET", "/api/cdrs/", std::nullopt, std::nullopt).status == 401);
  CHECK(total(f, "cdrs") == 4);
}

TEST_CASE("api calllists: perspective, direction and filters",
          "[api][records]") {
  api_fixture f;
  auto w = make_world(f);
  seed_calls(f, w);

  auto bare = f.call("GET", "/api/calllists/");
  CHECK(bare.status == 400);
  CHECK(message(bare) ==
        "Mandatory parameter 'subscriber_id' or 'customer_id' missing.");
  CHECK(f.call("GET", "/api/calllists/?call_id=call-1").status == 400);

  // alice's calls: two out, one in, each seen from her side.
  auto mine = calllist(f, "subscriber_id=" + num(w.alice));
  REQUIRE(keys(mine) == ids_t{1, 2, 3});
  CHECK(mine[1]["direction"] == "out");
  CHECK(mine[1]["own_cli"] == "4311000");
  CHECK(mine[1]["other_cli"] == "4312000");
  CHECK(mine[1]["customer_cost"] == 10);
  CHECK(mine[1]["intra_customer"] == true);
  CHECK(mine[1]["status"] == "ok");
  CHECK(mine[1]["type"] == "call");
  CHECK(mine[1]["start_time"] == t0);
  CHECK(mine[1]["duration"] == 60);
  CHECK(mine[1]["call_id"] == "call-1");
  CHECK(mine[2]["direction"] == "out");
  CHECK(mine[2]["other_cli"] == "4399999");
  CHECK(mine[2]["status"] == "busy");
  CHECK(mine[2]["intra_customer"] == false);
  CHECK(mine[3]["direction"] == "in");
  CHECK(mine[3]["own_cli"] == "4311000");
  CHECK(mine[3]["other_cli"] == "4322222");
  CHECK(mine[3]["customer_cost"] == 3);
  CHECK(mine[3]["intra_customer"] == false);
  CHECK_FALSE(mine[3].contains("_source_subscriber_id"));
  // The same call from the other side.
  auto bobs = calllist(f, "subscriber_id=" + num(w.bob));
  REQUIRE(keys(bobs) == ids_t{1});
  CHECK(bobs[1]["direction"] == "in");
  CHECK(bobs[1]["own_cli"] == "4312000");
  CHECK(bobs[1]["other_cli"] == "4311000");
  CHECK(bobs[1]["customer_cost"] == 1);

  auto alice_q = "subscriber_id=" + num(w.alice);
  CHECK(keys(calllist(f, alice_q + "&direction=in")) == ids_t{3});
  CHECK(keys(calllist(f, alice_q + "&direction=out")) == ids_t{1, 2});
  CHECK(keys(calllist(f, alice_q + "&status=busy")) == ids_t{2});
  CHECK(keys(calllist(f, alice_q + "&status_ne=busy")) == ids_t{1, 3});
  CHECK(keys(calllist(f, alice_q + "&type=call")) == ids_t{1, 2, 3});
  CHECK(keys(calllist(f, alice_q + "&type_ne=call")) == ids_t{});
  CHECK(keys(calllist(f, alice_q + "&start_ge=" + num(t0 + 3600))) ==
        ids_t{2, 3});
  CHECK(keys(calllist(f, alice_q + "&start_le=" + num(t0 + 3600))) ==
        ids_t{1, 2});
  CHECK(keys(calllist(f, alice_q + "&init_ge=" + num(t0 + 3600))) == ids_t{3});
  CHECK(keys(calllist(f, alice_q + "&call_id=call-3")) == ids_t{3});
  auto sorted = list(f, "calllists",
                     alice_q + "&order_by=start_time&order_by_direction=desc"
                               "&rows=2");
  CHECK(sorted.json["total_count"] == 3);
  REQUIRE(embedded(sorted, "calllists").size() == 2);
  CHECK(embedded(sorted, "calllists")[0]["id"] == 3);
  CHECK(sorted.json["_links"]["next"]["href"] ==
        "/api/calllists/?page=2&rows=2&order_by=start_time&order_by_"
        "direction=desc&subscriber_id=" +
            num(w.alice));

  // A customer's list: calls of any of its subscribers.
  auto customer = calllist(f, "customer_id=" + num(w.cust));
  REQUIRE(keys(customer) == ids_t{1, 2, 3});
  CHECK(customer[1]["direction"] == "out");
  CHECK(customer[3]["direction"] == "in");
  CHECK(keys(calllist(f, "customer_id=" + num(w.cust2))) == ids_t{3, 4});
  CHECK(keys(calllist(f, "customer_id=" + num(w.cust2) + "&direction=in")) ==
        ids_t{4});
  CHECK(keys(calllist(f, "subscriber_id=999")) == ids_t{});

  // One entry, from a perspective given like the list's.
  auto in = f.call("GET", "/api/calllists/3?subscriber_id=" + num(w.alice));
  REQUIRE(in.status == 200);
  CHECK(in.json["direction"] == "in");
  CHECK(in.json["own_cli"] == "4311000");
  auto out = f.call("GET", "/api/calllists/3?subscriber_id=" + num(w.zed));
  REQUIRE(out.status == 200);
  CHECK(out.json["direction"] == "out");
  CHECK(out.json["own_cli"] == "4322222");
  CHECK(f.call("GET", "/api/calllists/3?subscriber_id=" + num(w.bob)).status ==
        404);
  CHECK(f.call("GET", "/api/calllists/3").status == 404);

  CHECK(f.call("POST", "/api/calllists/", json::object()).status == 405);
  CHECK(f.call("DELETE", "/api/calllists/1").status == 405);
  CHECK(f.call("GET", "/api/calllists/?" + alice_q, std::nullopt, std::nullopt)
            .status == 401);
}

TEST_CASE("api calllists: subscribers and resellers see only their own calls",
          "[api][records][roles]") {
  api_fixture f;
  auto w = make_world(f);
  seed_calls(f, w);
  auto alice_q = "subscriber_id=" + num(w.alice);

  // A subscriber: its own list only.
  CHECK(keys(calllist(f, alice_q, alice_login)) == ids_t{1, 2, 3});
  CHECK(keys(calllist(f, "subscriber_id=" + num(w.bob), alice_login)) ==
        ids_t{});
  CHECK(keys(calllist(f, "customer_id=" + num(w.cust), alice_login)) ==
        ids_t{});
  CHECK(f.call("GET", "/api/calllists/1?" + alice_q, std::nullopt, alice_login)
            .status == 200);
  CHECK(f.call("GET", "/api/calllists/1?subscriber_id=" + num(w.bob),
               std::nullopt, alice_login)
            .status == 404);
  CHECK(f.call("GET", "/api/calllists/", std::nullopt, alice_login).status ==
        400);

  // A reseller: lists of its own subscribers and customers only.
  CHECK(keys(calllist(f, alice_q, r2_login)) == ids_t{});
  CHECK(keys(calllist(f, "customer_id=" + num(w.cust), r2_login)) == ids_t{});
  CHECK(f.call("GET", "/api/calllists/3?" + alice_q, std::nullopt, r2_login)
            .status == 404);
  auto zeds = calllist(f, "subscriber_id=" + num(w.zed), r2_login);
  REQUIRE(keys(zeds) == ids_t{3, 4});
  CHECK(zeds[3]["direction"] == "out");
  CHECK(zeds[3]["other_cli"] == "4311000");
  CHECK(zeds[4]["direction"] == "in");
  CHECK(zeds[4]["own_cli"] == "4322222");
  CHECK(zeds[4]["other_cli"] == "4988888");
  CHECK(zeds[4]["type"] == "cfu");
  CHECK(keys(calllist(f, "customer_id=" + num(w.cust2), r2_login)) ==
        ids_t{3, 4});
}
