#include "actors/call/callee_stage.hpp"

#include "actors/subscriber/location_store.hpp"
#include "actors/subscriber/profile_lookup.hpp"
#include "actors/subscriber/register_message.hpp"
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

} // namespace

billing::cdr_party cdr_party_of(const party_facts& p) {
  billing::cdr_party c;
  c.user_id = p.uuid;
  c.subscriber_id = p.subscriber_id;
  c.account_id = p.customer_id;
  c.reseller_id = p.reseller_id;
  c.user = p.username;
  c.domain = p.domain;
  c.cli = p.cli;
  return c;
}

routing_stage callee_stage(callee_lookups lookups) {
  return {"callee", [l = std::move(lookups)](routing_context& ctx) {
            auto found = l.by_username(ctx.request_user, ctx.request_domain);
            if (!found)
              return storage_failure(ctx, found.err());
            if (!*found)
              if (auto number = as_number(ctx.request_user)) {
                found = l.by_number(*number);
                if (!found)
                  return storage_failure(ctx, found.err());
              }
            if (!*found)
              return reject(ctx, 404, "Not Found");
            const auto& callee = **found;
            ctx.callee_subscriber_id = callee.subscriber_id;
            ctx.plan.cdr.destination = cdr_party_of(callee);
            ctx.plan.cdr.destination_user_dialed = ctx.request_user;
            ctx.plan.cdr.destination_user_in = ctx.request_user;
            ctx.plan.cdr.destination_domain_in = ctx.request_domain;
            if (callee.lock == lock_incoming_and_outgoing ||
                callee.lock == lock_global)
              return reject(ctx, 403, "Callee locked");
            auto targets = l.contacts(callee, ctx.now);
            if (!targets)
              return storage_failure(ctx, targets.err());
            if (targets->empty())
              return reject(ctx, 480, "Offline");
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
    auto did = subscriber::lookup_domain(reader, domain);
    if (!did)
      return did.err();
    if (!*did)
      return std::optional<party_facts>{};
    return subscriber::lookup_user(reader, **did, user);
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
    auto sid = *number ? (**number).value("subscriber_id", uint64_t{0}) : 0;
    if (sid == 0)
      return std::optional<party_facts>{};
    return subscriber::load_profile(reader, sid);
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
