#pragma once

// REST operations backed by the SIP side rather than by stored documents:
//   GET    /api/bannedips[/]          bans at the SIP edge, by address
//   DELETE /api/bannedips/{id}        lift every ban of an address
//   GET    /api/bannedusers[/]        failed-authentication bans, by user
//   DELETE /api/bannedusers/{id}      lift a user's ban ("user@domain")
//   POST   /api/subscriberregistrations[/]    a permanent binding
//   DELETE /api/subscriberregistrations/{id}  remove a binding
// Registrations are read through the stored collection (in cluster mode
// from the shared records of every node's registrar); writes go to the
// subscriber actor that owns the AoR, so they never race a REGISTER.
#include "actors/support/shared_records.hpp"
#include "mgmt/api/api_service.hpp"

#include <caf/actor.hpp>

#include <memory>

namespace sb::sip::edge {
class edge_shield;
}

namespace sb::mgmt::api {

/// `shared_locations` set (cluster mode): /api/subscriberregistrations
/// lists the bindings held there instead of this node's store.
void add_sip_operations(
    api_service& api, sip::edge::edge_shield& shield, caf::actor directory,
    std::shared_ptr<actors::shared_records> shared_locations = nullptr);

} // namespace sb::mgmt::api
