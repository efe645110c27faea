// The API's own documents: `GET /api/` (the collections), the OpenAPI 3
// description and the route table of every resource.
#include "mgmt/api/api_service.hpp"
#include "mgmt/api/openapi.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/rest/hal.hpp"

namespace sb::mgmt::api {

void add_all_resources(api_service& api) {
  for (auto make :
       {admins_resource, resellers_resource, contracts_resource,
        systemcontacts_resource, customercontacts_resource, customers_resource,
        billingprofiles_resource, domains_resource, subscribers_resource,
        numbers_resource, subscriberpreferences_resource,
        domainpreferences_resource, customerpreferences_resource,
        subscriberregistrations_resource, cdrs_resource, calllists_resource})
    api.add(make());
}

void api_service::add_operation(api_operation op) {
  operations_.push_back(std::move(op));
}

status api_service::add_routes(http::router& router) {
  for (const auto& r : resources_)
    if (auto st = add_resource_routes(router, *r); !st)
      return st;
  if (auto st = add_preferencedefs_routes(router, *this); !st)
    return st;
  for (const auto& op : operations_) {
    auto h = [this, op](http::request rq, http::respond_fn respond) {
      auto who = auth_.authenticate(rq);
      if (!who)
        return respond(error_response(who.err()));
      if (!op.roles.contains(who->role))
        return respond(error_response(rest::forbidden()));
      op.run(*who, std::move(rq), std::move(respond));
    };
    if (auto st = router.add(op.method, op.pattern, h); !st)
      return st;
  }
  auto root = [this](http::request rq, http::respond_fn respond) {
    auto who = auth_.authenticate(rq);
    if (!who)
      return respond(error_response(who.err()));
    json links{{"self", {{"href", "/api/"}}},
               {"curies",
                {{"name", "ngcp"},
                 {"href", std::string(rest::ngcp_profile) + "#rel-{rel}"},
                 {"templated", true}}}};
    for (const auto& r : resources_)
      if (auth::roles_for(r->roles, auth::http_method::get).contains(who->role))
        links["ngcp:" + r->name] = {{"href", rest::collection_href(r->name)},
                                    {"title", r->description}};
    respond(rest::hal_response(json{{"_links", links}}));
  };
  if (auto st = router.add("GET", "/api/", root); !st)
    return st;
  auto doc = std::make_shared<json>(openapi_document(*this));
  return router.add("GET", "/api/openapi.json",
                    [doc](http::request, http::respond_fn respond) {
                      respond(http::response::json(200, *doc));
                    });
}

} // namespace sb::mgmt::api
