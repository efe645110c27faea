#include "tests/support/api_fixture.hpp"

#include "actors/provisioning/provisioning_actor.hpp"
#include "common/base64.hpp"
#include "mgmt/api/bootstrap.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <future>

namespace sb::test {

using namespace std::chrono_literals;
using nlohmann::json;

std::optional<std::string> api_reply::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (mgmt::http::iequals(k, name))
      return v;
  return std::nullopt;
}

uint64_t api_reply::created_id() const {
  auto loc = header("Location");
  if (!loc)
    return 0;
  auto slash = loc->rfind('/');
  return std::stoull(loc->substr(slash + 1));
}

api_fixture::api_fixture() {
  auto s = persistence::rocks_store::open(dir_ / "db");
  REQUIRE(s.ok());
  store_ = std::move(s).value();
  auto l = persistence::local_provisioning_log::open(*store_);
  REQUIRE(l.ok());
  log_ = std::move(l).value();
  progress_ = std::make_unique<actors::provisioning_progress>();
  cfg_.set("scheduler.max-threads", size_t{2});
  sys_ = std::make_unique<caf::actor_system>(cfg_);
  actor_ = actors::spawn_provisioning_actor(*sys_, "test", *log_, *store_,
                                            *progress_, 64, 50ms);
  auto guard = mgmt::auth::login_guard::create({});
  REQUIRE(guard.ok());
  auto actor = actor_;
  api_ = std::make_unique<mgmt::api::api_service>(
      *store_,
      [actor](std::shared_ptr<actors::provisioning_txn> t) {
        caf::anon_send(actor, actors::prov_txn_atom::value, std::move(t));
      },
      std::move(*guard));
  mgmt::api::add_all_resources(*api_);
  std::promise<mgmt::rest::api_status> done;
  auto f = done.get_future();
  mgmt::api::bootstrap(*api_, [&done](mgmt::rest::api_status st) {
    done.set_value(std::move(st));
  });
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  REQUIRE(f.get().ok());
  REQUIRE(api_->add_routes(router_).ok());
}

api_fixture::~api_fixture() {
  caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
  // A detached actor's thread ends only when its last handle is gone, and
  // the API's write path holds one.
  router_ = mgmt::http::router{};
  api_.reset();
  sys_.reset();
}

namespace {

std::string basic(const credentials& who) {
  auto plain = who.user + ":" + who.password;
  return "Basic " +
         encode_base64(reinterpret_cast<const unsigned char*>(plain.data()),
                       plain.size());
}

} // namespace

api_reply api_fixture::send(mgmt::http::request rq,
                            const std::optional<credentials>& who) {
  auto [path, query] = mgmt::http::split_target(rq.target);
  rq.path = mgmt::http::percent_decode(path);
  rq.query = mgmt::http::parse_query(query);
  if (who)
    rq.headers.emplace_back("Authorization", basic(*who));
  auto p = std::make_shared<std::promise<mgmt::http::response>>();
  auto f = p->get_future();
  router_(std::move(rq),
          [p](mgmt::http::response r) { p->set_value(std::move(r)); });
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  auto r = f.get();
  api_reply out{r.status, r.headers, r.body, nullptr};
  if (!r.body.empty())
    out.json = json::parse(r.body, nullptr, false);
  if (out.json.is_discarded())
    out.json = nullptr;
  return out;
}

api_reply api_fixture::call_raw(const std::string& method,
                                const std::string& target, std::string body,
                                const std::string& content_type,
                                const std::optional<credentials>& who) {
  mgmt::http::request rq;
  rq.method = method;
  rq.target = target;
  rq.remote_address = "127.0.0.1";
  if (!content_type.empty())
    rq.headers.emplace_back("Content-Type", content_type);
  rq.body = std::move(body);
  return send(std::move(rq), who);
}

api_reply
api_fixture::call(const std::string& method, const std::string& target,
                  const std::optional<json>& body,
                  const std::optional<credentials>& who,
                  std::optional<std::string> content_type,
                  std::vector<std::pair<std::string, std::string>> headers,
                  const std::string& remote) {
  mgmt::http::request rq;
  rq.method = method;
  rq.target = target;
  rq.remote_address = remote;
  rq.headers = std::move(headers);
  if (body) {
    rq.body = body->dump();
    if (!content_type)
      content_type = method == "PATCH" ? "application/json-patch+json"
                                       : "application/json";
  }
  if (content_type)
    rq.headers.emplace_back("Content-Type", *content_type);
  return send(std::move(rq), who);
}

uint64_t api_fixture::create(const std::string& coll, const json& body,
                             const std::optional<credentials>& who) {
  auto r = call("POST", "/api/" + coll + "/", body, who);
  INFO(coll << ": " << r.body);
  REQUIRE(r.status == 201);
  return r.created_id();
}

uint64_t api_fixture::customer_contact(uint64_t reseller) {
  return create("customercontacts",
                {{"reseller_id", reseller}, {"email", "c@example.com"}});
}

uint64_t api_fixture::customer(uint64_t reseller, json extra) {
  json body{{"contact_id", customer_contact(reseller)},
            {"status", "active"},
            {"type", "sipaccount"},
            {"billing_profile_id", 1}};
  if (reseller != 1) {
    auto p =
        create("billingprofiles", {{"reseller_id", reseller},
                                   {"handle", "p" + std::to_string(reseller)},
                                   {"name", "Profile"}});
    body["billing_profile_id"] = p;
  }
  if (extra.is_object())
    body.update(extra);
  return create("customers", body);
}

uint64_t api_fixture::domain(const std::string& name, uint64_t reseller) {
  return create("domains", {{"domain", name}, {"reseller_id", reseller}});
}

uint64_t api_fixture::subscriber(uint64_t customer, uint64_t domain,
                                 const std::string& username, json extra) {
  json body{{"customer_id", customer},
            {"domain_id", domain},
            {"username", username},
            {"password", "secret-" + username}};
  if (extra.is_object())
    body.update(extra);
  return create("subscribers", body);
}

uint64_t api_fixture::reseller(const std::string& name,
                               const std::string& login,
                               const std::string& password) {
  auto contact = create("systemcontacts", {{"email", name + "@example.com"}});
  auto contract = create("contracts", {{"contact_id", contact},
                                       {"status", "active"},
                                       {"type", "reseller"},
                                       {"billing_profile_id", 1}});
  auto id =
      create("resellers",
             {{"contract_id", contract}, {"name", name}, {"status", "active"}});
  create("admins", {{"login", login},
                    {"password", password},
                    {"reseller_id", id},
                    {"is_superuser", false}});
  return id;
}

} // namespace sb::test
