#include "mgmt/rest/errors.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using namespace sb::mgmt::rest;
using nlohmann::json;

namespace {

json body_of(const api_error& e) {
  auto r = to_response(e);
  CHECK(r.status == e.status);
  CHECK(r.header("Content-Type") == "application/json");
  return json::parse(r.body);
}

} // namespace

TEST_CASE("rest errors: every helper renders code and message", "[rest]") {
  CHECK(body_of(bad_request("x")) == json{{"code", 400}, {"message", "x"}});
  CHECK(body_of(malformed_entity("application/json", "bad thing")) ==
        json{{"code", 400},
             {"message", "The entity is not a well-formed 'application/json' "
                         "document. bad thing"}});
  CHECK(body_of(missing_body())["message"] ==
        "This request is missing a message body.");
  CHECK(body_of(unauthorized()) ==
        json{{"code", 401}, {"message", "Unauthorized"}});
  CHECK(body_of(unauthorized("Invalid user")).at("message") == "Invalid user");
  CHECK(body_of(forbidden()) == json{{"code", 403}, {"message", "Forbidden!"}});
  CHECK(body_of(not_found("domain")) ==
        json{{"code", 404}, {"message", "Entity 'domain' not found."}});
  CHECK(body_of(unsupported_media_type("text/plain", "application/json")) ==
        json{{"code", 415},
             {"message", "Unsupported media type 'text/plain', accepting "
                         "application/json only."}});
  CHECK(unsupported_media_type("", "application/json").message ==
        "Unsupported media type 'undefined', accepting application/json "
        "only.");
  CHECK(body_of(unprocessable("boom")) ==
        json{{"code", 422},
             {"message", "The entity could not be processed: boom"}});
  CHECK(body_of(internal_error()) ==
        json{{"code", 500}, {"message", "Internal Server Error"}});
}

TEST_CASE("rest errors: 422 names every bad field", "[rest]") {
  auto one = validation_failed({{"domain", "", {"Required field"}}});
  CHECK(one.status == 422);
  CHECK(one.message ==
        "Validation failed. field='domain', input='', errors='Required "
        "field'");

  auto many = validation_failed(
      {{"domain", "", {"Required field"}},
       {"port", "70000", {"Value must be between 1 and 65535", "Odd"}}});
  CHECK(many.message ==
        "Validation failed. field='domain', input='', errors='Required "
        "field'; field='port', input='70000', errors='Value must be between "
        "1 and 65535,Odd'");
  CHECK(body_of(many)["code"] == 422);
}

TEST_CASE("rest errors: input_text echoes strings raw, others as JSON",
          "[rest]") {
  CHECK(input_text("abc") == "abc");
  CHECK(input_text(json()) == "");
  CHECK(input_text(5) == "5");
  CHECK(input_text(true) == "true");
  CHECK(input_text(json::array({1, "a"})) == "[1,\"a\"]");
  CHECK(input_text(json{{"k", 1}}) == "{\"k\":1}");
}

TEST_CASE("rest errors: api_result holds a value or an error", "[rest]") {
  api_result<int> ok = 3;
  REQUIRE(ok);
  CHECK(*ok == 3);
  api_result<int> bad = not_found("x");
  REQUIRE_FALSE(bad);
  CHECK(bad.err().status == 404);
  CHECK(api_ok().ok());
}
