#include "actors/call/callee_stage.hpp"

#include "actors/subscriber/location_store.hpp"
#include "actors/subscriber/register_message.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/entities/store_reader.hpp"

#include <algorithm>

namespace sb::actors::call {

namespace keys = persistence::keys;

namespace {

// "+4312345" and "4312345" name the same number; anything else is not one.
std::optional<std::string> as_number(std::string_view user) {
  if (!user.empty() && user.front() == '+')
    user.remove_prefix(1);
  if (user.empty() || !std::all_of(user.begin(), user.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::string(user);
}

stage_result stop(routing_context& ctx, int code, std::string reason) {
  ctx.plan.reject = rejection{code, std::move(reason)};
  return stage_result::stop;
}

stage_result storage_error(routing_context& ctx, const error& e) {
  spdlog::error("routing {}: {}", ctx.call_id, e.message);
  return stop(ctx, 500, "Server Internal Error");
}

result<std::optional<party_facts>>
facts_of(const persistence::store_reader& reader, uint64_t id) {
  auto doc = reader.load(keys::kind_subscribers, id);
  if (!doc)
    return doc.err();
  if (!*doc)
    return std::optional<party_facts>{};
  const auto& d = **doc;
  auto num = [&](const char* k) {
    auto it = d.find(k);
    return it != d.end() && it->is_number_unsigned() ? it->get<uint64_t>()
                                                     : uint64_t{0};
  };
  party_facts f;
  f.subscriber_id = id;
  f.customer_id = num("customer_id");
  f.reseller_id = num("reseller_id");
  f.uuid = d.value("uuid", "");
  f.username = d.value("username", "");
  f.domain = d.value("domain", "");
  f.lock = d.value("lock", 0);
  return std::optional<party_facts>{std::move(f)};
}

} // namespace

routing_stage callee_stage(callee_lookups lookups) {
  return {"callee", [l = std::move(lookups)](routing_context& ctx) {
            auto found = l.by_username(ctx.request_user, ctx.request_domain);
            if (!found)
              return storage_error(ctx, found.err());
            if (!*found)
              if (auto number = as_number(ctx.request_user)) {
                found = l.by_number(*number);
                if (!found)
                  return storage_error(ctx, found.err());
              }
            if (!*found)
              return stop(ctx, 404, "Not Found");
            const auto& callee = **found;
            ctx.callee_subscriber_id = callee.subscriber_id;
            auto& d = ctx.plan.cdr.destination;
            d.user_id = callee.uuid;
            d.subscriber_id = callee.subscriber_id;
            d.account_id = callee.customer_id;
            d.reseller_id = callee.reseller_id;
            d.user = callee.username;
            d.domain = callee.domain;
            ctx.plan.cdr.destination_user_dialed = ctx.request_user;
            ctx.plan.cdr.destination_user_in = ctx.request_user;
            ctx.plan.cdr.destination_domain_in = ctx.request_domain;
            if (callee.lock == lock_incoming_and_outgoing ||
                callee.lock == lock_global)
              return stop(ctx, 403, "Callee locked");
            auto targets = l.contacts(callee, ctx.now);
            if (!targets)
              return storage_error(ctx, targets.err());
            if (targets->empty())
              return stop(ctx, 480, "Offline");
            ctx.plan.targets = std::move(*targets);
            return stage_result::next;
          }};
}

callee_lookups store_lookups(const persistence::store_reader& reader,
                             subscriber::location_store& locations) {
  callee_lookups l;
  l.by_username =
      [&reader](std::string_view user,
                std::string_view domain) -> result<std::optional<party_facts>> {
    auto did = reader.unique_owner(keys::index_domain, ascii_lower(domain));
    if (!did)
      return did.err();
    if (!*did)
      return std::optional<party_facts>{};
    auto sid = reader.unique_owner(keys::index_subscriber_user,
                                   keys::web_login_key(**did, user));
    if (!sid)
      return sid.err();
    if (!*sid)
      return std::optional<party_facts>{};
    return facts_of(reader, **sid);
  };
  l.by_number =
      [&reader](std::string_view e164) -> result<std::optional<party_facts>> {
    auto nid = reader.unique_owner(keys::index_number, e164);
    if (!nid)
      return nid.err();
    if (!*nid)
      return std::optional<party_facts>{};
    auto number = reader.load(keys::kind_numbers, **nid);
    if (!number)
      return number.err();
    if (!*number)
      return std::optional<party_facts>{};
    auto sid = (**number).value("subscriber_id", uint64_t{0});
    if (sid == 0)
      return std::optional<party_facts>{};
    return facts_of(reader, sid);
  };
  l.contacts =
      [&locations](const party_facts& who,
                   time_point now) -> result<std::vector<branch_target>> {
    auto rec =
        locations.load(subscriber::canonical_aor(who.username, who.domain));
    if (!rec)
      return rec.err();
    std::vector<branch_target> out;
    if (!*rec)
      return out;
    for (const auto& b : subscriber::targets((*rec)->state, now)) {
      branch_target t{b.uri, b.path, ""};
      // A NATed contact is reached where its REGISTER came from.
      if (b.natted && b.received)
        t.next_hop = sip::to_string(*b.received);
      out.push_back(std::move(t));
    }
    return out;
  };
  return l;
}

} // namespace sb::actors::call
