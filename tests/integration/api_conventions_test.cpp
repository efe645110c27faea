// The API's common conventions (digest §2): authentication and bans, HAL
// shapes, paging, media types, errors, OPTIONS, and the OpenAPI document
// matching the routes that exist.
#include "tests/support/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <set>

using nlohmann::json;
using sb::test::api_fixture;
using sb::test::credentials;

TEST_CASE("api requires Basic credentials and bans repeated failures",
          "[api][auth]") {
  api_fixture f;
  auto anon = f.call("GET", "/api/domains/", std::nullopt, std::nullopt);
  CHECK(anon.status == 401);
  CHECK(anon.header("WWW-Authenticate").value_or("").find("Basic") == 0);
  CHECK(anon.json["code"] == 401);

  credentials wrong{"administrator", "nope"};
  for (int i = 0; i < 4; ++i)
    CHECK(
        f.call("GET", "/api/domains/", std::nullopt, wrong, {}, {}, "10.9.9.9")
            .status == 401);
  // The fifth failure bans the address, even for good credentials...
  CHECK(f.call("GET", "/api/domains/", std::nullopt, wrong, {}, {}, "10.9.9.9")
            .status == 401);
  auto banned = f.call("GET", "/api/domains/", std::nullopt,
                       sb::test::admin_login, {}, {}, "10.9.9.9");
  CHECK(banned.status == 403);
  // ...but not other addresses.
  CHECK(f.call("GET", "/api/domains/", std::nullopt, sb::test::admin_login, {},
               {}, "10.9.9.8")
            .status == 200);
  CHECK(f.api().authenticator().bans().size() == 1);
}

TEST_CASE("api root lists the collections a role may read", "[api][hal]") {
  api_fixture f;
  auto root = f.call("GET", "/api/");
  REQUIRE(root.status == 200);
  CHECK(root.header("Content-Type").value_or("").find("application/hal+json") ==
        0);
  CHECK(root.json["_links"]["ngcp:subscribers"]["href"] == "/api/subscribers/");
  CHECK(root.json["_links"]["ngcp:resellers"]["href"] == "/api/resellers/");

  f.reseller("r2", "r2admin", "r2secret");
  auto r =
      f.call("GET", "/api/", std::nullopt, credentials{"r2admin", "r2secret"});
  REQUIRE(r.status == 200);
  CHECK(r.json["_links"].contains("ngcp:subscribers"));
  CHECK_FALSE(r.json["_links"].contains("ngcp:resellers"));
}

TEST_CASE("api collections page with HAL links and reject bad paging",
          "[api][hal]") {
  api_fixture f;
  for (int i = 0; i < 5; ++i)
    f.domain("d" + std::to_string(i) + ".example");
  auto p2 = f.call("GET", "/api/domains/?page=2&rows=2&reseller_id=1");
  REQUIRE(p2.status == 200);
  CHECK(p2.json["total_count"] == 5);
  REQUIRE(p2.json["_embedded"]["ngcp:domains"].size() == 2);
  CHECK(p2.json["_embedded"]["ngcp:domains"][0]["domain"] == "d2.example");
  CHECK(p2.json["_links"]["next"]["href"] ==
        "/api/domains/?page=3&rows=2&reseller_id=1");
  CHECK(p2.json["_links"]["prev"]["href"] ==
        "/api/domains/?page=1&rows=2&reseller_id=1");
  CHECK(p2.json["_links"]["self"]["href"] ==
        "/api/domains/?page=2&rows=2&reseller_id=1");

  auto desc =
      f.call("GET", "/api/domains/?order_by=domain&order_by_direction=desc");
  REQUIRE(desc.status == 200);
  CHECK(desc.json["_embedded"]["ngcp:domains"][0]["domain"] == "d4.example");

  auto filtered = f.call("GET", "/api/domains/?domain=d3*");
  CHECK(filtered.json["total_count"] == 1);

  CHECK(f.call("GET", "/api/domains/?rows=0").status == 400);
  auto bad = f.call("GET", "/api/domains/?page=0");
  CHECK(bad.status == 400);
  CHECK(bad.json["message"] ==
        "Query parameters 'page' and 'rows', when specified, must be greater "
        "than 0.");
  CHECK(f.call("GET", "/api/domains/?order_by=nope").status == 400);
  // Without the trailing slash too.
  CHECK(f.call("GET", "/api/domains").status == 200);
}

TEST_CASE("api write requests check media type, body and Link header",
          "[api][errors]") {
  api_fixture f;
  auto text = f.call_raw("POST", "/api/domains/", "{}", "text/plain");
  CHECK(text.status == 415);
  CHECK(text.json["message"] ==
        "Unsupported media type 'text/plain', accepting application/json "
        "only.");
  auto malformed =
      f.call_raw("POST", "/api/domains/", "{\"domain\":", "application/json");
  CHECK(malformed.status == 400);
  auto empty = f.call_raw("POST", "/api/domains/", "", "application/json");
  CHECK(empty.status == 400);
  auto link = f.call("POST", "/api/domains/", json{{"domain", "x.example"}},
                     sb::test::admin_login, std::nullopt,
                     {{"Link", "</api/resellers/1>; rel=\"ngcp:resellers\""}});
  CHECK(link.status == 400);
  auto cust = f.customer();
  auto patch_json = f.call(
      "PATCH", "/api/customers/" + std::to_string(cust),
      json::array(
          {{{"op", "replace"}, {"path", "/status"}, {"value", "locked"}}}),
      sb::test::admin_login, "application/json");
  CHECK(patch_json.status == 415);
  auto bad_op = f.call("PATCH", "/api/resellers/1",
                       json::array({{{"op", "explode"}, {"path", "/name"}}}));
  CHECK(bad_op.status == 400);
  // Nothing was created by any of these.
  CHECK(f.call("GET", "/api/domains/").json["total_count"] == 0);
}

TEST_CASE("api answers OPTIONS, 404 and 405 like the reference",
          "[api][errors]") {
  api_fixture f;
  auto coll = f.call("OPTIONS", "/api/customers/");
  CHECK(coll.status == 200);
  CHECK(coll.header("Allow") == "GET, HEAD, OPTIONS, POST");
  CHECK(coll.header("Accept-Post").value_or("").find("#rel-customers") !=
        std::string::npos);
  auto item = f.call("OPTIONS", "/api/customers/1");
  CHECK(item.header("Allow") == "GET, HEAD, OPTIONS, PUT, PATCH");
  CHECK(item.header("Accept-Patch") == "application/json-patch+json");
  CHECK(item.json["methods"].size() == 5);

  auto missing = f.call("GET", "/api/domains/999");
  CHECK(missing.status == 404);
  CHECK(missing.json["message"] == "Entity 'domain' not found.");
  CHECK(f.call("GET", "/api/domains/abc").status == 404);
  CHECK(f.call("DELETE", "/api/customers/1").status == 405);
  CHECK(f.call("GET", "/api/nosuchthing/").status == 404);
}

TEST_CASE("api honours Prefer: return=representation", "[api][hal]") {
  api_fixture f;
  auto r = f.call("POST", "/api/domains/",
                  json{{"domain", "rep.example"}, {"reseller_id", 1}},
                  sb::test::admin_login, std::nullopt,
                  {{"Prefer", "return=representation"}});
  REQUIRE(r.status == 201);
  CHECK(r.json["domain"] == "rep.example");
  CHECK(r.json["_links"]["self"]["href"] == r.header("Location"));
  CHECK(r.header("Preference-Applied") == "return=representation");
  auto plain = f.call("POST", "/api/domains/",
                      json{{"domain", "min.example"}, {"reseller_id", 1}});
  CHECK(plain.status == 201);
  CHECK(plain.body.empty());
}

TEST_CASE("api read-only admins may only read", "[api][auth]") {
  api_fixture f;
  f.create("admins", {{"login", "viewer"},
                      {"password", "viewer1"},
                      {"is_superuser", true},
                      {"read_only", true}});
  credentials viewer{"viewer", "viewer1"};
  CHECK(f.call("GET", "/api/domains/", std::nullopt, viewer).status == 200);
  CHECK(f.call("POST", "/api/domains/", json{{"domain", "ro.example"}}, viewer)
            .status == 403);
}

TEST_CASE("api OpenAPI document describes exactly the routes served",
          "[api][openapi]") {
  api_fixture f;
  auto doc = f.call("GET", "/api/openapi.json", std::nullopt, std::nullopt);
  REQUIRE(doc.status == 200);
  CHECK(doc.json["openapi"] == "3.0.3");
  std::set<std::pair<std::string, std::string>> documented;
  for (auto& [path, ops] : doc.json["paths"].items())
    for (auto& [method, op] : ops.items())
      if (method != "parameters") {
        std::string upper;
        for (char c : method)
          upper +=
              static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        documented.emplace(upper, path);
      }
  std::set<std::pair<std::string, std::string>> routed;
  for (auto [method, pattern] : f.router().routes()) {
    if (pattern.rfind("/api/", 0) != 0 || method == "OPTIONS")
      continue;
    // Collections answer with and without the trailing slash; the document
    // names the canonical form.
    if (pattern.find('{') == std::string::npos && pattern.back() != '/' &&
        pattern != "/api/openapi.json")
      pattern += '/';
    routed.emplace(method, pattern);
  }
  for (const auto& r : routed) {
    INFO(r.first << " " << r.second);
    CHECK(documented.count(r) == 1);
  }
  for (const auto& d : documented) {
    INFO(d.first << " " << d.second);
    CHECK(routed.count(d) == 1);
  }
  // Schemas come from the field tables: required fields are listed.
  auto req = doc.json["components"]["schemas"]["subscribers"]["required"];
  CHECK(std::find(req.begin(), req.end(), "username") != req.end());
}
