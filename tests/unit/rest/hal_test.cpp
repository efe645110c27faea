#include "mgmt/rest/hal.hpp"

#include "mgmt/http/message.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::rest;
using nlohmann::json;

namespace {

const json curies = {{"name", "ngcp"},
                     {"href", "http://purl.org/sipwise/ngcp-api/#rel-{rel}"},
                     {"templated", true}};
const json profile = {{"href", "http://purl.org/sipwise/ngcp-api/"}};

json href(const std::string& h) {
  return {{"href", h}};
}

json domain(int id) {
  return hal_item("domains", id, {{"domain", "d" + std::to_string(id)}});
}

} // namespace

TEST_CASE("rest hal: item shape", "[rest]") {
  auto item = hal_item(
      "subscribers", 7, {{"username", "alice"}, {"id", 99}, {"_links", 1}},
      {{"domains", "/api/domains/3"}, {"customers", "/api/customers/4"}});
  const json expected = {{"_links",
                          {{"curies", curies},
                           {"collection", href("/api/subscribers/")},
                           {"profile", profile},
                           {"self", href("/api/subscribers/7")},
                           {"ngcp:subscribers", href("/api/subscribers/7")},
                           {"ngcp:domains", href("/api/domains/3")},
                           {"ngcp:customers", href("/api/customers/4")}}},
                         {"id", 7},
                         {"username", "alice"}};
  CHECK(item == expected);
}

TEST_CASE("rest hal: repeated extra rels become an array, string ids",
          "[rest]") {
  auto item =
      hal_item("things", "ab-12", json::object(),
               {{"x", "/api/x/1"}, {"x", "/api/x/2"}, {"x", "/api/x/3"}});
  CHECK(item["id"] == "ab-12");
  CHECK(item["_links"]["self"] == href("/api/things/ab-12"));
  CHECK(item["_links"]["ngcp:x"] ==
        json::array({href("/api/x/1"), href("/api/x/2"), href("/api/x/3")}));
}

TEST_CASE("rest hal: collection pages with nav links and filters", "[rest]") {
  collection_page c;
  c.coll = "domains";
  c.query.rows = 2;
  c.total_count = 5; // pages: [1,2] [3,4] [5]
  c.params =
      sb::mgmt::http::parse_query("rows=2&page=2&domain=a%20b&reseller_id=1");

  SECTION("middle page has next and prev, filters preserved") {
    c.query.page = 2;
    c.items = {domain(3), domain(4)};
    const json expected = {
        {"_links",
         {{"self",
           href("/api/domains/?page=2&rows=2&domain=a%20b&reseller_id=1")},
          {"next",
           href("/api/domains/?page=3&rows=2&domain=a%20b&reseller_id=1")},
          {"prev",
           href("/api/domains/?page=1&rows=2&domain=a%20b&reseller_id=1")},
          {"curies", curies},
          {"profile", profile},
          {"ngcp:domains",
           json::array({href("/api/domains/3"), href("/api/domains/4")})}}},
        {"_embedded", {{"ngcp:domains", json::array({domain(3), domain(4)})}}},
        {"total_count", 5}};
    CHECK(hal_collection(c) == expected);
  }
  SECTION("first page has no prev") {
    c.query.page = 1;
    c.items = {domain(1), domain(2)};
    auto h = hal_collection(c);
    CHECK(h["_links"].contains("next"));
    CHECK_FALSE(h["_links"].contains("prev"));
    CHECK(h["_links"]["self"]["href"] ==
          "/api/domains/?page=1&rows=2&domain=a%20b&reseller_id=1");
  }
  SECTION("last page has no next, one item is still an array") {
    c.query.page = 3;
    c.items = {domain(5)};
    auto h = hal_collection(c);
    CHECK_FALSE(h["_links"].contains("next"));
    CHECK(h["_links"]["prev"]["href"] ==
          "/api/domains/?page=2&rows=2&domain=a%20b&reseller_id=1");
    CHECK(h["_links"]["ngcp:domains"] == json::array({href("/api/domains/5")}));
    CHECK(h["_embedded"]["ngcp:domains"].size() == 1);
  }
  SECTION("exact multiple of rows: no next on the last full page") {
    c.total_count = 4;
    c.query.page = 2;
    CHECK_FALSE(hal_collection(c)["_links"].contains("next"));
  }
}

TEST_CASE("rest hal: empty collection omits _embedded", "[rest]") {
  collection_page c;
  c.coll = "domains";
  c.total_count = 0;
  const json expected = {{"_links",
                          {{"self", href("/api/domains/?page=1&rows=10")},
                           {"curies", curies},
                           {"profile", profile}}},
                         {"total_count", 0}};
  CHECK(hal_collection(c) == expected);
}

TEST_CASE("rest hal: responses carry the HAL content type", "[rest]") {
  auto r = hal_response(domain(1));
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") ==
        "application/hal+json; profile=\"http://purl.org/sipwise/ngcp-api/\"");
  CHECK(json::parse(r.body) == domain(1));
  CHECK(hal_response(domain(1), 201).status == 201);

  collection_page c;
  c.coll = "domains";
  c.total_count = 1;
  c.items = {domain(1)};
  auto cr = collection_response(c);
  CHECK(cr.status == 200);
  CHECK(cr.header("Content-Type") == std::string(hal_content_type));
  CHECK(json::parse(cr.body)["total_count"] == 1);
}

TEST_CASE("rest hal: hrefs", "[rest]") {
  CHECK(collection_href("domains") == "/api/domains/");
  CHECK(item_href("domains", 12) == "/api/domains/12");
  CHECK(item_href("x", "u-1") == "/api/x/u-1");
  collection_page c;
  c.coll = "x";
  c.query.rows = 5;
  c.params = {{"q", "a&b=c/é"}};
  CHECK(page_href(c, 4) == "/api/x/?page=4&rows=5&q=a%26b%3Dc%2F%C3%A9");
}
