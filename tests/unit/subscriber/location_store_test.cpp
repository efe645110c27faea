// Where bindings live between activations: the record codec, the binding
// ids the API shows, and the RocksDB-backed local store (a temporary
// database per test).
#include "actors/subscriber/location_store.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sb::actors::subscriber;
using namespace std::chrono_literals;
using nlohmann::json;
using sb::persistence::cf;
using sb::persistence::rocks_store;
using sb::test::temp_dir;

namespace {

const std::string alice = "sip:alice@example.test";
const std::string bob = "sip:bob@example.test";
// 2023-11-14 22:13:20 UTC.
const time_point t0 = time_point{} + 1'700'000'000s;

registrar_config config() {
  return {60, 3600, 1800, 0};
}

contact_input contact(std::string uri, std::optional<uint32_t> expires = {},
                      std::optional<std::string> q = {}) {
  contact_input c;
  c.uri = std::move(uri);
  c.expires = expires;
  c.q = std::move(q);
  return c;
}

// A REGISTER through a NAT: the source is not the Via sent-by.
register_request reg(const std::string& aor, std::vector<contact_input> cs,
                     uint32_t cseq = 1) {
  register_request rq;
  rq.aor = aor;
  rq.contacts = std::move(cs);
  rq.call_id = "cid-" + aor;
  rq.cseq = cseq;
  rq.path = {"<sip:edge.example.test;lr>"};
  rq.source = {sip_transport::udp, "203.0.113.5", 40000};
  rq.via = {"192.168.1.20", 5060, true};
  rq.user_agent = "phone/1.0";
  rq.local_socket = "udp:127.0.0.1:5060";
  return rq;
}

registrar_state registered(const std::string& aor,
                           std::vector<contact_input> cs) {
  registrar_state st;
  st.aor = aor;
  auto out = on_register(st, reg(aor, std::move(cs)), config(), t0);
  REQUIRE(out.status == register_status::ok);
  return st;
}

location_record record_of(registrar_state st) {
  location_record rec;
  rec.subscriber_id = 11;
  rec.customer_id = 22;
  rec.reseller_id = 33;
  rec.state = std::move(st);
  return rec;
}

std::unique_ptr<rocks_store> open_store(const temp_dir& tmp) {
  auto s = rocks_store::open(tmp / "db");
  INFO((s ? std::string() : s.err().message));
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::optional<std::string> get(rocks_store& s, const std::string& key) {
  auto v = s.get(cf::registrations, key);
  REQUIRE(v.ok());
  return *v;
}

std::string doc_key(uint64_t id) {
  return sb::persistence::doc_key("registrations", id);
}

std::vector<std::string> all_aors(location_store& ls) {
  std::vector<std::string> out;
  REQUIRE(ls.each_aor([&](const std::string& a) { out.push_back(a); }).ok());
  return out;
}

binding with_uri(std::string uri) {
  binding b;
  b.uri = std::move(uri);
  return b;
}

} // namespace

TEST_CASE("location store: a record survives encode and decode",
          "[subscriber][location_store]") {
  auto rec = record_of(
      registered(alice, {contact("sip:alice@192.168.1.20:5060", 600, "0.5"),
                         contact("sip:alice@192.168.1.21")}));
  REQUIRE(rec.state.bindings.size() == 2);
  auto text = encode_record(rec);
  auto back = decode_record(text);
  INFO(text);
  REQUIRE(back.ok());
  CHECK(back->subscriber_id == 11);
  CHECK(back->customer_id == 22);
  CHECK(back->reseller_id == 33);
  CHECK(back->state == rec.state);
  CHECK(encode_record(*back) == text);
}

TEST_CASE("location store: garbage does not decode",
          "[subscriber][location_store]") {
  for (std::string bad :
       {"", "not json", "[]", "42", "{}", "{\"subscriber_id\": 1}",
        "{\"state\": {}}", "{\"state\": null}", "{\"state\": 5}",
        "{\"subscriber_id\": 1, \"state\": {\"aor\": 5}}", "{\"state\": {"}) {
    INFO(bad);
    auto r = decode_record(bad);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("location store: binding ids", "[subscriber][location_store]") {
  auto a = with_uri("sip:alice@192.0.2.1");
  auto b = with_uri("sip:alice@192.0.2.2");
  SECTION("the same inputs give the same id, within 53 bits") {
    CHECK(binding_id(alice, a) == binding_id(alice, a));
    CHECK(binding_id(alice, a) == binding_id(alice, with_uri(a.uri)));
    for (const auto& x : {a, b}) {
      auto id = binding_id(alice, x);
      CHECK(id > 0);
      CHECK(id < (uint64_t{1} << 53));
    }
  }
  SECTION("other contacts or AoRs give other ids") {
    CHECK(binding_id(alice, a) != binding_id(alice, b));
    CHECK(binding_id(alice, a) != binding_id(bob, a));
  }
  SECTION("only the URI counts without instance") {
    auto a2 = a;
    a2.expires_at = t0 + 10s;
    a2.call_id = "other";
    a2.cseq = 9;
    a2.q = 100;
    CHECK(binding_id(alice, a2) == binding_id(alice, a));
  }
  SECTION("instance and reg-id identify a binding, not its URI") {
    auto i1 = with_uri("sip:alice@192.0.2.1");
    i1.instance = "\"<urn:uuid:1>\"";
    i1.reg_id = 1;
    auto i2 = with_uri("sip:alice@198.51.100.9:7000");
    i2.instance = i1.instance;
    i2.reg_id = 1;
    CHECK(binding_id(alice, i1) == binding_id(alice, i2));
    auto i3 = i2;
    i3.reg_id = 2;
    CHECK(binding_id(alice, i3) != binding_id(alice, i1));
    auto i4 = i2;
    i4.instance = "\"<urn:uuid:2>\"";
    CHECK(binding_id(alice, i4) != binding_id(alice, i1));
    CHECK(binding_id(alice, i1) != binding_id(alice, a));
  }
  SECTION("many distinct contacts give distinct ids") {
    std::set<uint64_t> ids;
    for (int i = 0; i < 500; ++i)
      ids.insert(binding_id(
          alice, with_uri("sip:u" + std::to_string(i) + "@192.0.2.1")));
    CHECK(ids.size() == 500);
  }
}

TEST_CASE("location store: save writes the record and one document per "
          "binding",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto ls = make_local_location_store(*db);
  stored_binding_ids ids;

  auto rec = record_of(
      registered(alice, {contact("sip:alice@192.168.1.20:5060", 600, "0.5"),
                         contact("sip:alice@192.168.1.21")}));
  REQUIRE(ls->save(rec, ids).ok());

  auto loaded = ls->load(alice);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->state == rec.state);
  CHECK((*loaded)->subscriber_id == 11);

  const auto& b0 = rec.state.bindings[0];
  auto doc_text = get(*db, doc_key(binding_id(alice, b0)));
  REQUIRE(doc_text);
  auto doc = json::parse(*doc_text);
  CHECK(doc.at("subscriber_id") == 11);
  CHECK(doc.at("customer_id") == 22);
  CHECK(doc.at("reseller_id") == 33);
  CHECK(doc.at("contact") == "sip:alice@192.168.1.20:5060");
  CHECK(doc.at("expires") == "2023-11-14 22:23:20"); // t0 + 600 s, UTC
  CHECK(doc.at("q") == 0.5);
  CHECK(doc.at("nat") == true);
  CHECK(doc.at("received") == "udp:203.0.113.5:40000");
  CHECK(doc.at("socket") == "udp:127.0.0.1:5060");
  CHECK(doc.at("user_agent") == "phone/1.0");
  CHECK(doc.at("call_id") == "cid-" + alice);
  CHECK(doc.at("path") == "<sip:edge.example.test;lr>");
  CHECK(doc.at("permanent") == false);

  auto doc1 =
      json::parse(get(*db, doc_key(binding_id(alice, rec.state.bindings[1])))
                      .value_or("null"));
  REQUIRE(doc1.is_object());
  CHECK(doc1.at("contact") == "sip:alice@192.168.1.21");
  CHECK(doc1.at("q") == 1.0);                         // no q: shown as 1.0
  CHECK(doc1.at("expires") == "2023-11-14 22:43:20"); // default 1800 s

  CHECK(all_aors(*ls) == std::vector<std::string>{alice});
  auto absent = ls->load(bob);
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());
}

TEST_CASE("location store: a removed binding loses its document",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto ls = make_local_location_store(*db);
  stored_binding_ids ids;

  auto st = registered(alice, {contact("sip:alice@192.168.1.20:5060"),
                               contact("sip:alice@192.168.1.21")});
  REQUIRE(ls->save(record_of(st), ids).ok());
  auto gone_id = binding_id(alice, st.bindings[0]);
  auto kept_id = binding_id(alice, st.bindings[1]);
  REQUIRE(get(*db, doc_key(gone_id)));

  auto out = on_register(
      st, reg(alice, {contact("sip:alice@192.168.1.20:5060", 0)}, 2), config(),
      t0 + 10s);
  REQUIRE(out.status == register_status::ok);
  REQUIRE(st.bindings.size() == 1);
  REQUIRE(ls->save(record_of(st), ids).ok());

  CHECK_FALSE(get(*db, doc_key(gone_id)));
  CHECK(get(*db, doc_key(kept_id)));
  auto loaded = ls->load(alice);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->state == st);
}

TEST_CASE("location store: the ids of a loaded record let the next save "
          "delete what is gone",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto ls = make_local_location_store(*db);
  auto st = registered(alice, {contact("sip:alice@192.168.1.20:5060"),
                               contact("sip:alice@192.168.1.21")});
  {
    stored_binding_ids first;
    REQUIRE(ls->save(record_of(st), first).ok());
    CHECK(first == binding_ids(record_of(st)));
  }
  // A new owner (after a restart) knows only what load() gives it.
  auto loaded = ls->load(alice);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  auto rec = std::move(**loaded);
  auto ids = binding_ids(rec);
  auto gone_id = binding_id(alice, rec.state.bindings[0]);
  rec.state.bindings.erase(rec.state.bindings.begin());
  REQUIRE(ls->save(rec, ids).ok());
  CHECK_FALSE(get(*db, doc_key(gone_id)));
  CHECK(get(*db, doc_key(binding_id(alice, rec.state.bindings[0]))));
  CHECK(ids == std::vector<uint64_t>{binding_id(alice, rec.state.bindings[0])});
}

TEST_CASE("location store: an empty state erases the record",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto ls = make_local_location_store(*db);
  stored_binding_ids ids;

  auto st = registered(alice, {contact("sip:alice@192.168.1.20:5060")});
  REQUIRE(ls->save(record_of(st), ids).ok());
  auto id = binding_id(alice, st.bindings[0]);
  REQUIRE(get(*db, doc_key(id)));

  auto out = on_register(st, reg(alice, {}, 2), config(), t0);
  REQUIRE(out.status == register_status::ok); // a query first: unchanged
  register_request star = reg(alice, {}, 3);
  star.star = true;
  star.expires = 0;
  REQUIRE(on_register(st, star, config(), t0 + 1s).status ==
          register_status::ok);
  REQUIRE(st.bindings.empty());
  REQUIRE(ls->save(record_of(st), ids).ok());

  CHECK_FALSE(get(*db, doc_key(id)));
  CHECK_FALSE(get(*db, "a/" + alice));
  auto loaded = ls->load(alice);
  REQUIRE(loaded.ok());
  CHECK_FALSE(loaded->has_value());
  CHECK(all_aors(*ls).empty());
}

TEST_CASE("location store: each_aor lists every saved AoR",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto ls = make_local_location_store(*db);
  CHECK(all_aors(*ls).empty());

  const std::string carol = "sip:carol@other.test";
  for (const auto& aor : {bob, alice, carol}) {
    stored_binding_ids fresh;
    REQUIRE(ls->save(record_of(
                         registered(aor, {contact("sip:x@192.168.1.20:5060")})),
                     fresh)
                .ok());
  }
  auto aors = all_aors(*ls);
  CHECK(std::set<std::string>(aors.begin(), aors.end()) ==
        std::set<std::string>{alice, bob, carol});
  CHECK(aors.size() == 3);

  // Binding documents of different AoRs with the same contact are distinct.
  for (const auto& aor : {bob, alice, carol})
    CHECK(get(*db,
              doc_key(binding_id(aor, with_uri("sip:x@192.168.1.20:5060")))));
}

namespace {
// An in-memory shared store that can be made to fail.
struct memory_records final : shared_records {
  std::map<std::string, std::string> records;
  bool failing = false;
  sb::result<std::optional<std::string>> get(const std::string& aor) override {
    if (failing)
      return sb::error{"redis down"};
    auto it = records.find(aor);
    return it == records.end() ? std::optional<std::string>{}
                               : std::optional<std::string>{it->second};
  }
  sb::status each(const std::function<void(const std::string&)>& fn) override {
    for (const auto& [aor, j] : records)
      fn(aor);
    return {};
  }
  sb::status put(const std::string& aor,
                 const std::optional<std::string>& j) override {
    if (failing)
      return sb::error{"redis down"};
    if (j)
      records[aor] = *j;
    else
      records.erase(aor);
    return {};
  }
};
} // namespace

TEST_CASE("location store: the shared store is written first and read back",
          "[subscriber][location_store]") {
  temp_dir tmp("sb-location");
  auto db = open_store(tmp);
  auto shared = std::make_shared<memory_records>();
  auto ls = make_shared_location_store(make_local_location_store(*db), shared);
  auto local = make_local_location_store(*db); // what this node keeps
  stored_binding_ids ids;
  auto st = registered(alice, {contact("sip:alice@192.168.1.20:5060")});
  REQUIRE(ls->save(record_of(st), ids).ok());
  REQUIRE(shared->records.count(alice));
  CHECK(all_aors(*ls) == std::vector<std::string>{alice}); // the shared list
  CHECK(all_aors(*local) == std::vector<std::string>{alice});

  // Another node wrote the AoR last: a load sees its record, not ours.
  auto theirs = registered(alice, {contact("sip:alice@192.168.1.99:5060")});
  shared->records[alice] = encode_record(record_of(theirs));
  auto loaded = ls->load(alice);
  REQUIRE(loaded.ok());
  REQUIRE(*loaded);
  CHECK((*loaded)->state.bindings.at(0).uri == "sip:alice@192.168.1.99:5060");

  // Redis down: the save fails and nothing local changes; the load fails
  // rather than answer from a copy that may be stale.
  shared->failing = true;
  auto none = st;
  none.bindings.clear();
  CHECK_FALSE(ls->save(record_of(none), ids).ok());
  CHECK(all_aors(*local) == std::vector<std::string>{alice});
  CHECK_FALSE(ls->load(alice).ok());

  shared->failing = false;
  REQUIRE(ls->save(record_of(none), ids).ok());
  CHECK(shared->records.empty());
  CHECK(all_aors(*ls).empty());
  CHECK(all_aors(*local).empty());
}

// Regression: decode_record once read the ids with json::value(), which
// throws when a member has another type, so a corrupt record threw out of
// load() instead of being an error.
TEST_CASE("location store: wrongly typed record ids are an error, not an "
          "exception",
          "[subscriber][location_store]") {
  auto rec = record_of(registered(alice, {contact("sip:alice@192.0.2.1")}));
  auto j = json::parse(encode_record(rec));
  for (const char* member : {"subscriber_id", "customer_id", "reseller_id"}) {
    auto bad = j;
    bad[member] = "11";
    INFO(bad.dump());
    std::string thrown;
    bool ok = true;
    try {
      ok = decode_record(bad.dump()).ok();
    } catch (const std::exception& e) {
      thrown = e.what();
    }
    CHECK(thrown == "");
    CHECK_FALSE(ok);
  }
}

TEST_CASE("location store: the shared binding documents of every AoR",
          "[subscriber][location_store]") {
  memory_records shared;
  auto a = record_of(registered(
      alice, {contact("sip:alice@192.0.2.1"), contact("sip:alice@192.0.2.2")}));
  auto b = record_of(registered(bob, {contact("sip:bob@192.0.2.3")}));
  shared.records[alice] = encode_record(a);
  shared.records[bob] = encode_record(b);
  shared.records["sip:broken@example.test"] = "{not json";

  std::map<uint64_t, std::string> seen; // id -> contact
  REQUIRE(each_shared_binding_doc(shared, [&](uint64_t id, const json& d) {
            seen[id] = d.value("contact", "");
            CHECK(d.contains("subscriber_id"));
            return true;
          }).ok());
  // The corrupt record is skipped, the others give one document each,
  // under the ids a local save would use.
  std::map<uint64_t, std::string> want;
  for (const auto* rec : {&a, &b})
    for (const auto& bd : rec->state.bindings)
      want[binding_id(rec->state.aor, bd)] = bd.uri;
  CHECK(seen == want);

  SECTION("the visitor stops the walk") {
    int n = 0;
    REQUIRE(each_shared_binding_doc(shared, [&](uint64_t, const json&) {
              return ++n < 2;
            }).ok());
    CHECK(n == 2);
  }
  SECTION("a failing store is an error") {
    shared.failing = true;
    CHECK_FALSE(each_shared_binding_doc(shared, [](uint64_t, const json&) {
                  return true;
                }).ok());
  }
}
