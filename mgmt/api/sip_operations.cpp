#include "mgmt/api/sip_operations.hpp"

#include "actors/subscriber/location_store.hpp"
#include "actors/subscriber/subscriber_messages.hpp"
#include "mgmt/api/authenticator.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/rest/body.hpp"
#include "mgmt/rest/hal.hpp"
#include "sip/edge/edge_shield.hpp"
#include "sip/msg/sip_message.hpp"

#include <caf/send.hpp>

namespace sb::mgmt::api {

namespace {

namespace sub = actors::subscriber;
using sip::edge::edge_shield;

// One page of bans, filtered by `ip` or `username`/`domain` (exact).
http::response ban_list(const std::string& coll,
                        const std::vector<edge_shield::ban_view>& bans,
                        bool users, const http::request& rq) {
  rest::list_spec spec;
  spec.filters = users ? std::vector<std::string>{"username", "domain"}
                       : std::vector<std::string>{"ip", "reason"};
  auto q = rest::parse_list_query(rq, spec);
  if (!q)
    return error_response(q.err());
  std::vector<json> all;
  for (const auto& b : bans) {
    json f{{"reason", b.reason},
           {"failures", b.failures},
           {"banned_at", timestamp_text(b.banned_at_s * 1000)},
           {"expires", timestamp_text(b.expires_at_s * 1000)}};
    if (users) {
      auto at = b.key.rfind('@');
      f["username"] = b.key.substr(0, at);
      f["domain"] = at == std::string::npos ? "" : b.key.substr(at + 1);
    } else {
      f["ip"] = b.key;
    }
    bool match = true;
    for (const auto& [name, value] : q->filters)
      match = match && f.value(name, "") == value;
    if (match)
      all.push_back(rest::hal_item(coll, b.key, f));
  }
  rest::collection_page page;
  page.coll = coll;
  page.query = *q;
  page.params = rq.query;
  page.total_count = all.size();
  for (uint64_t i = q->offset(); i < all.size() && page.items.size() < q->rows;
       ++i)
    page.items.push_back(std::move(all[i]));
  return rest::collection_response(page);
}

void add_ban_operations(api_service& api, edge_shield& shield) {
  const auth::role_set admins{auth::role::admin};
  for (bool users : {false, true}) {
    std::string coll = users ? "bannedusers" : "bannedips";
    auto list = [&shield, coll, users](const auth::principal&, http::request rq,
                                       http::respond_fn respond) {
      respond(ban_list(coll,
                       users ? shield.banned_users() : shield.banned_ips(),
                       users, rq));
    };
    std::string what = users ? "users" : "addresses";
    for (const auto& p : {"/api/" + coll + "/", "/api/" + coll})
      api.add_operation({"GET", p, "Banned " + what + " at the SIP edge",
                         admins, "200", list});
    api.add_operation(
        {"DELETE", "/api/" + coll + "/{id}", "Lift the bans of one of " + what,
         admins, "204",
         [&shield, users](const auth::principal&, http::request rq,
                          http::respond_fn respond) {
           const auto& key = rq.params["id"];
           bool lifted = users ? shield.unban_user(key) : shield.unban_ip(key);
           if (!lifted)
             return respond(error_response(
                 rest::not_found(users ? "banneduser" : "bannedip")));
           respond(http::response::text(204, ""));
         }});
  }
}

// POST body: subscriber_id, contact (sip:/sips: URI), optional q (0..1).
rest::api_result<std::shared_ptr<sub::admin_op>>
permanent_binding_op(const json& body) {
  std::vector<rest::field_error> errors;
  if (!body.is_object())
    return rest::unprocessable("the body must be a JSON object");
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "subscriber_id" && it.key() != "contact" && it.key() != "q")
      errors.push_back(
          {it.key(), rest::input_text(it.value()), {"unknown field"}});
  auto op = std::make_shared<sub::admin_op>();
  auto sid = body.value("subscriber_id", json{});
  if (!sid.is_number_unsigned() || sid.get<uint64_t>() == 0)
    errors.push_back({"subscriber_id",
                      rest::input_text(sid),
                      {"a subscriber id is required"}});
  else
    op->subscriber_id = sid.get<uint64_t>();
  sub::permanent_binding_request add;
  auto contact = body.value("contact", json{});
  if (!contact.is_string() || !sip::split_uri(contact.get<std::string>()))
    errors.push_back({"contact",
                      rest::input_text(contact),
                      {"a sip: or sips: URI with a host is required"}});
  else
    add.uri = contact.get<std::string>();
  if (body.contains("q")) {
    const auto& q = body["q"];
    if (!q.is_number() || q.get<double>() < 0 || q.get<double>() > 1)
      errors.push_back(
          {"q", rest::input_text(q), {"a number from 0 to 1 is required"}});
    else
      add.q = static_cast<uint16_t>(q.get<double>() * 1000 + 0.5);
  }
  if (!errors.empty())
    return rest::validation_failed(errors);
  add.user_agent = "REST API";
  op->add = std::move(add);
  return op;
}

void add_registration_operations(api_service& api, caf::actor directory) {
  const auth::role_set admins{auth::role::admin, auth::role::reseller};
  auto create = [&api, directory](const auth::principal& who, http::request rq,
                                  http::respond_fn respond) {
    auto body = rest::read_body(rq);
    if (!body)
      return respond(error_response(body.err()));
    auto op = permanent_binding_op(*body);
    if (!op)
      return respond(error_response(op.err()));
    // The subscriber must exist and be the caller's to manage.
    auto doc = api.reader().load(kind_subscribers, (*op)->subscriber_id);
    if (!doc || !*doc || !auth::can_see(who, owner_from_members(**doc)))
      return respond(error_response(
          rest::validation_failed({{"subscriber_id",
                                    std::to_string((*op)->subscriber_id),
                                    {"no such subscriber"}}})));
    (*op)->done = [respond](result<uint64_t> id) {
      if (!id)
        return respond(error_response(rest::unprocessable(id.err().message)));
      auto r = http::response::text(201, "");
      r.set_header("Location", rest::item_href("subscriberregistrations", *id));
      respond(std::move(r));
    };
    caf::anon_send(directory, sub::admin_atom::value, std::move(*op));
  };
  for (const auto* p :
       {"/api/subscriberregistrations/", "/api/subscriberregistrations"})
    api.add_operation(
        {"POST", p, "Create a permanent registration", admins, "201", create});
  api.add_operation(
      {"DELETE", "/api/subscriberregistrations/{id}", "Remove a registration",
       admins, "204",
       [&api, directory](const auth::principal& who, http::request rq,
                         http::respond_fn respond) {
         uint64_t id = 0;
         try {
           id = std::stoull(rq.params["id"]);
         } catch (...) {
         }
         auto doc = api.load(*api.find("subscriberregistrations"), id);
         if (!doc || !*doc || !auth::can_see(who, owner_from_members(**doc)))
           return respond(
               error_response(rest::not_found("subscriberregistration")));
         auto op = std::make_shared<sub::admin_op>();
         op->subscriber_id = (**doc).value("subscriber_id", uint64_t{0});
         op->remove_uri = (**doc).value("contact", "");
         op->done = [respond](result<uint64_t> r) {
           if (!r)
             return respond(error_response(rest::internal_error()));
           respond(http::response::text(204, ""));
         };
         caf::anon_send(directory, sub::admin_atom::value, std::move(op));
       }});
}

} // namespace

void add_sip_operations(api_service& api, edge_shield& shield,
                        caf::actor directory,
                        std::shared_ptr<actors::shared_records> shared) {
  add_ban_operations(api, shield);
  add_registration_operations(api, std::move(directory));
  if (!shared)
    return;
  // Every node lists the cluster's bindings, not only those its own
  // subscriber actors wrote (its local copies also keep AoRs that moved).
  auto src = std::make_shared<document_source>();
  src->each = [shared](const std::function<bool(uint64_t, const json&)>& v) {
    return sub::each_shared_binding_doc(*shared, v);
  };
  src->load = [shared](uint64_t id) -> result<std::optional<json>> {
    std::optional<json> found;
    auto st = sub::each_shared_binding_doc(
        *shared, [&](uint64_t binding, const json& doc) {
          if (binding != id)
            return true;
          found = doc;
          return false;
        });
    if (!st)
      return st.err();
    return found;
  };
  api.set_source("subscriberregistrations", std::move(src));
}

} // namespace sb::mgmt::api
