#pragma once

#include <nlohmann/json.hpp>

namespace sb::mgmt::api {

class api_service;

/// The OpenAPI 3.0 description of every route `add_routes` serves, built
/// from the resource definitions (paths, methods by role, item schemas from
/// the field specs, filters and paging as query parameters).
nlohmann::json openapi_document(const api_service& api);

} // namespace sb::mgmt::api
