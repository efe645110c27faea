#pragma once

// The provisioning storage names live with the storage layer, where the SIP
// side reads them too; the API uses them unqualified.
#include "persistence/entities/provisioning_keys.hpp"

namespace sb::mgmt::api {
using namespace sb::persistence::keys;
} // namespace sb::mgmt::api
