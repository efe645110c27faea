#include "mgmt/api/openapi.hpp"

#include "common/text.hpp"

#include "mgmt/api/api_service.hpp"

namespace sb::mgmt::api {

namespace {

const char* type_name(rest::field_type t) {
  switch (t) {
  case rest::field_type::string:
    return "string";
  case rest::field_type::integer:
    return "integer";
  case rest::field_type::number:
    return "number";
  case rest::field_type::boolean:
    return "boolean";
  case rest::field_type::object:
    return "object";
  case rest::field_type::array:
    return "array";
  case rest::field_type::any:
    break;
  }
  return nullptr;
}

json schema_of(const resource_def& r) {
  json s{{"type", "object"}, {"description", r.description}};
  if (r.fields.empty()) {
    s["additionalProperties"] = true;
    return s;
  }
  json props = json::object();
  json required = json::array();
  props["id"] = {{"type", "integer"}, {"readOnly", true}};
  for (const auto& f : r.fields) {
    json p = json::object();
    if (auto t = type_name(f.type))
      p["type"] = t;
    if (f.read_only)
      p["readOnly"] = true;
    if (f.nullable)
      p["nullable"] = true;
    if (!f.enum_values.empty())
      p["enum"] = f.enum_values;
    if (f.min)
      p["minimum"] = *f.min;
    if (f.max)
      p["maximum"] = *f.max;
    if (f.max_length)
      p["maxLength"] = *f.max_length;
    if (f.default_value)
      p["default"] = *f.default_value;
    if (f.type == rest::field_type::array)
      p["items"] = json::object();
    props[f.name] = p;
    if (f.required)
      required.push_back(f.name);
  }
  s["properties"] = props;
  if (!required.empty())
    s["required"] = required;
  return s;
}

json roles_of(auth::role_set set) {
  json out = json::array();
  for (auto role :
       {auth::role::admin, auth::role::reseller, auth::role::subscriber})
    if (set.contains(role))
      out.push_back(std::string(auth::to_string(role)));
  return out;
}

json query_param(const std::string& name, const char* type,
                 const std::string& doc) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", doc},
          {"schema", {{"type", type}}}};
}

json response(const char* doc) {
  return {{"description", doc}};
}

json errors() {
  return {{"400", response("Malformed request")},
          {"401", response("Authentication required")},
          {"403", response("Forbidden for this role")},
          {"404", response("Not found")},
          {"415", response("Unsupported media type")},
          {"422", response("Validation failed")}};
}

json operation(const std::string& summary, auth::role_set roles) {
  return {{"summary", summary},
          {"x-roles", roles_of(roles)},
          {"responses", errors()}};
}

json body_of(const std::string& media, const json& schema) {
  return {{"required", true}, {"content", {{media, {{"schema", schema}}}}}};
}

} // namespace

json openapi_document(const api_service& api) {
  json paths = json::object();
  json schemas = json::object();
  for (const auto* r : api.resources()) {
    auto ref = json{{"$ref", "#/components/schemas/" + r->name}};
    schemas[r->name] = schema_of(*r);
    json coll = json::object();
    json item = json::object();
    const auto& m = r->roles;
    json id_param = {{"name", "id"},
                     {"in", "path"},
                     {"required", true},
                     {"schema", {{"type", "integer"}, {"minimum", 1}}}};
    if (!m.get.empty()) {
      auto get = operation("List " + r->name, m.get);
      json params = json::array(
          {query_param("page", "integer", "Page, from 1 (default 1)"),
           query_param("rows", "integer", "Items per page (default 10)"),
           query_param("order_by", "string", "Field to sort by"),
           query_param("order_by_direction", "string", "asc or desc")});
      for (const auto& f : r->list.filters)
        params.push_back(query_param(f, "string", "Filter"));
      get["parameters"] = params;
      get["responses"]["200"] = response("HAL collection");
      coll["get"] = get;
      auto one = operation("Get one of " + r->name, m.get);
      one["responses"]["200"] = response("HAL item");
      item["get"] = one;
    }
    if (!m.post.empty()) {
      auto post = operation("Create one of " + r->name, m.post);
      post["requestBody"] = body_of("application/json", ref);
      post["responses"]["201"] = response("Created; Location names the item");
      coll["post"] = post;
    }
    if (!m.put.empty()) {
      auto put = operation("Replace one of " + r->name, m.put);
      put["requestBody"] = body_of("application/json", ref);
      put["responses"]["204"] = response("Replaced");
      put["responses"]["200"] =
          response("Replaced (Prefer: return=representation)");
      item["put"] = put;
    }
    if (!m.patch.empty()) {
      auto patch = operation("Patch one of " + r->name, m.patch);
      patch["requestBody"] =
          body_of("application/json-patch+json",
                  {{"type", "array"}, {"items", {{"type", "object"}}}});
      patch["responses"]["204"] = response("Patched");
      patch["responses"]["200"] =
          response("Patched (Prefer: return=representation)");
      item["patch"] = patch;
    }
    if (!m.del.empty()) {
      auto del = operation("Delete one of " + r->name, m.del);
      del["responses"]["204"] = response("Deleted");
      item["delete"] = del;
    }
    if (!item.empty())
      item["parameters"] = json::array({id_param});
    if (!coll.empty())
      paths["/api/" + r->name + "/"] = coll;
    if (!item.empty())
      paths["/api/" + r->name + "/{id}"] = item;
  }
  for (const char* level : {"subscriber", "domain", "customer"}) {
    auto get = operation(std::string("Catalogue of ") + level + " preferences",
                         {auth::role::admin, auth::role::reseller});
    get["responses"]["200"] = response("Object keyed by preference name");
    paths[std::string("/api/") + level + "preferencedefs/"] = {{"get", get}};
  }
  for (const auto& op : api.operations()) {
    auto o = operation(op.summary, op.roles);
    o["responses"][op.success] = response(op.summary.c_str());
    auto& path = paths[op.pattern];
    path[ascii_lower(op.method)] = o;
    if (op.pattern.find("{id}") != std::string::npos &&
        !path.contains("parameters"))
      path["parameters"] = json::array({{{"name", "id"},
                                         {"in", "path"},
                                         {"required", true},
                                         {"schema", {{"type", "string"}}}}});
  }
  auto root = operation(
      "The collections this caller may read",
      {auth::role::admin, auth::role::reseller, auth::role::subscriber});
  root["responses"]["200"] = response("HAL links to every collection");
  paths["/api/"] = {{"get", root}};
  paths["/api/openapi.json"] = {
      {"get",
       {{"summary", "This document"},
        {"security", json::array()},
        {"responses", {{"200", response("OpenAPI 3 document")}}}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Switchboard provisioning API"},
            {"version", "1"},
            {"description",
             "Compatible with the reference platform's /api/: HAL+JSON, "
             "HTTP Basic, JSON Patch. See docs/api.md."}}},
          {"servers", json::array({{{"url", "/"}}})},
          {"security", json::array({{{"basic", json::array()}}})},
          {"components",
           {{"securitySchemes",
             {{"basic", {{"type", "http"}, {"scheme", "basic"}}}}},
            {"schemas", schemas}}},
          {"paths", paths}};
}

} // namespace sb::mgmt::api
