#pragma once

// REST operations backed by the SIP side rather than by stored documents:
//   GET    /api/bannedips[/]          bans at the SIP edge, by address
//   DELETE /api/bannedips/{id}        lift every ban of an address
//   GET    /api/bannedusers[/]        failed-authentication bans, by user
//   DELETE /api/bannedusers/{id}      lift a user's ban ("user@domain")
//   POST   /api/subscriberregistrations[/]    a permanent binding
//   DELETE /api/subscriberregistrations/{id}  remove a binding
// Registrations are read through the stored collection; writes go to the
// subscriber actor that owns the AoR, so they never race a REGISTER.
#include "mgmt/api/api_service.hpp"

#include <caf/actor.hpp>

namespace sb::sip::edge {
class edge_shield;
}

namespace sb::mgmt::api {

void add_sip_operations(api_service& api, sip::edge::edge_shield& shield,
                        caf::actor directory);

} // namespace sb::mgmt::api
