#include "mgmt/rest/body.hpp"

#include "mgmt/http/message.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::rest;
using nlohmann::json;
using sb::mgmt::http::request;

namespace {

request make(std::string method, std::string ctype, std::string body) {
  request rq;
  rq.method = std::move(method);
  if (!ctype.empty())
    rq.headers.emplace_back("Content-Type", std::move(ctype));
  rq.body = std::move(body);
  return rq;
}

api_error fail(const request& rq) {
  auto r = read_body(rq);
  REQUIRE_FALSE(r);
  return r.err();
}

} // namespace

TEST_CASE("rest body: media type", "[rest]") {
  CHECK(media_type_of(" Application/JSON ; charset=UTF-8") ==
        "application/json");
  CHECK(media_type_of("") == "");
  CHECK(read_body(make("POST", "application/json; charset=utf-8", "{}")));
  CHECK(read_body(make("PUT", "APPLICATION/Json", "{}")));
  CHECK(read_body(make("PATCH", "application/json-patch+json", "[]")));

  auto e = fail(make("POST", "text/plain", "{}"));
  CHECK(e.status == 415);
  CHECK(e.message == "Unsupported media type 'text/plain', accepting "
                     "application/json only.");
  e = fail(make("POST", "", "{}"));
  CHECK(e.message == "Unsupported media type 'undefined', accepting "
                     "application/json only.");
  e = fail(make("PATCH", "application/json", "[]"));
  CHECK(e.status == 415);
  CHECK(e.message == "Unsupported media type 'application/json', accepting "
                     "application/json-patch+json only.");
  // A prefix is not the media type (the reference's index() check is laxer).
  CHECK(fail(make("POST", "application/json-patch+json", "{}")).status == 415);
}

TEST_CASE("rest body: Link header is refused first", "[rest]") {
  auto rq = make("POST", "text/plain", "");
  rq.headers.emplace_back("link", "</api/domains/1>; rel=domain");
  auto e = fail(rq);
  CHECK(e.status == 400);
  CHECK(e.message == "The request must not contain 'Link' headers. Instead "
                     "assert relationships in the entity body.");
  CHECK_FALSE(forbid_link_header(rq));
  CHECK(forbid_link_header(make("GET", "", "")));
}

TEST_CASE("rest body: missing, malformed and mis-shaped bodies", "[rest]") {
  auto e = fail(make("POST", "application/json", ""));
  CHECK(e.status == 400);
  CHECK(e.message == "This request is missing a message body.");

  e = fail(make("POST", "application/json", "{\"a\":"));
  CHECK(e.status == 400);
  CHECK(e.message.rfind("The entity is not a well-formed 'application/json' "
                        "document. parse error at line 1, column 6",
                        0) == 0);
  e = fail(make("PATCH", "application/json-patch+json", "[x]"));
  CHECK(e.message.rfind("The entity is not a well-formed "
                        "'application/json-patch+json' document. parse error",
                        0) == 0);
  e = fail(make("POST", "application/json", "\"\xff\""));
  CHECK(e.status == 400);

  CHECK(fail(make("POST", "application/json", "[1]")).message ==
        "Body for POST must be an object.");
  CHECK(fail(make("PUT", "application/json", "1")).message ==
        "Body for PUT must be an object.");
  CHECK(fail(make("PATCH", "application/json-patch+json", "{}")).message ==
        "Body for PATCH must be an array.");
  CHECK(fail(make("GET", "application/json", "{}")).message ==
        "Unsupported method 'GET' for a request body.");

  auto ok = read_body(make("POST", "application/json", "{\"a\":[1,\"x\"]}"));
  REQUIRE(ok);
  CHECK(*ok == json{{"a", {1, "x"}}});
}

TEST_CASE("rest body: nesting depth is bounded", "[rest]") {
  std::string deep(max_json_depth, '[');
  deep += std::string(max_json_depth, ']');
  CHECK(parse_json(deep, json_media_type));
  auto too_deep = parse_json("[" + deep + "]", json_media_type);
  REQUIRE_FALSE(too_deep);
  CHECK(too_deep.err().message ==
        "The entity is not a well-formed 'application/json' document. "
        "Nesting deeper than 64 levels.");
  // Brackets inside strings do not count.
  CHECK(parse_json("[\"" + std::string(200, '[') + "\\\"\"]", json_media_type));
}

TEST_CASE("rest body: Prefer header", "[rest]") {
  const auto prefer = [](std::string value) {
    request rq;
    rq.headers.emplace_back("Prefer", std::move(value));
    return parse_prefer(rq);
  };
  CHECK(parse_prefer(request{}) == prefer_return::minimal);
  CHECK(prefer("return=representation") == prefer_return::representation);
  CHECK(prefer("Return=\"Representation\"") == prefer_return::representation);
  CHECK(prefer("respond-async, return=representation; x=1") ==
        prefer_return::representation);
  CHECK(prefer("return=minimal") == prefer_return::minimal);
  CHECK(prefer("return=internal") == prefer_return::minimal);
  CHECK(prefer("return=bogus") == prefer_return::minimal);
  CHECK(prefer("return=representation, return=minimal") ==
        prefer_return::minimal);
  CHECK(preference_applied(prefer_return::minimal) == "return=minimal");
  CHECK(preference_applied(prefer_return::representation) ==
        "return=representation");
}
