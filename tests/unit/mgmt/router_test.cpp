#include "mgmt/http/router.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <optional>

using namespace sb::mgmt::http;

namespace {

request make_request(std::string method, std::string target) {
  request rq;
  rq.method = std::move(method);
  rq.target = std::move(target);
  auto [path, query] = split_target(rq.target);
  rq.path = percent_decode(path);
  rq.query = parse_query(query);
  return rq;
}

// Dispatches synchronously and returns what the router or handler answered.
std::optional<response> call(const router& r, std::string method,
                             std::string target) {
  std::optional<response> out;
  r(make_request(std::move(method), std::move(target)),
    [&](response res) { out = std::move(res); });
  return out;
}

handler echo(std::string tag) {
  return [tag](request rq, respond_fn respond) {
    nlohmann::json params = rq.params;
    respond(response::json(200, {{"route", tag}, {"params", params}}));
  };
}

nlohmann::json body_of(const response& r) {
  return nlohmann::json::parse(r.body);
}

} // namespace

TEST_CASE("router: literal and parameter routes", "[router]") {
  router r;
  REQUIRE(r.add("GET", "/api/subscribers", echo("list")));
  REQUIRE(r.add("GET", "/api/subscribers/{id}", echo("one")));
  REQUIRE(r.add("GET", "/api/subscribers/count", echo("count")));
  REQUIRE(r.add("PUT", "/api/subscribers/{id}/bindings/{n}", echo("bind")));
  REQUIRE(r.add("GET", "/", echo("root")));

  auto res = call(r, "GET", "/api/subscribers/alice%40example.test?x=1");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(body_of(*res)["route"] == "one");
  CHECK(body_of(*res)["params"]["id"] == "alice@example.test");

  CHECK(body_of(*call(r, "GET", "/api/subscribers"))["route"] == "list");
  // A literal segment beats a parameter.
  CHECK(body_of(*call(r, "GET", "/api/subscribers/count"))["route"] == "count");
  CHECK(body_of(*call(r, "GET", "/"))["route"] == "root");

  auto bind = call(r, "PUT", "/api/subscribers/a%2Fb/bindings/3");
  CHECK(body_of(*bind)["params"] == nlohmann::json{{"id", "a/b"}, {"n", "3"}});
}

TEST_CASE("router: unknown path is 404 with the error shape", "[router]") {
  router r;
  REQUIRE(r.add("GET", "/api/subscribers/{id}", echo("one")));
  for (auto target : {"/nope", "/api/subscribers", "/api/subscribers/",
                      "/api/subscribers/a/b", "/api/subscribers//"}) {
    auto res = call(r, "GET", target);
    REQUIRE(res);
    INFO(target);
    CHECK(res->status == 404);
    CHECK(res->header("content-type") == "application/json");
    CHECK(body_of(*res)["code"] == 404);
    CHECK(body_of(*res)["message"].is_string());
  }
}

TEST_CASE("router: wrong method is 405 with Allow", "[router]") {
  router r;
  REQUIRE(r.add("GET", "/api/subscribers/{id}", echo("get")));
  REQUIRE(r.add("DELETE", "/api/subscribers/{id}", echo("del")));
  REQUIRE(r.add("POST", "/api/subscribers/count", echo("post")));

  auto res = call(r, "PATCH", "/api/subscribers/alice");
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->header("Allow") == "DELETE, GET, HEAD, OPTIONS");
  CHECK(body_of(*res)["code"] == 405);

  // Allow is the union over every pattern that matches the path.
  auto both = call(r, "PUT", "/api/subscribers/count");
  CHECK(both->status == 405);
  CHECK(both->header("Allow") == "DELETE, GET, HEAD, OPTIONS, POST");
  // GET still reaches the parameter route when the literal one lacks it.
  CHECK(body_of(*call(r, "GET", "/api/subscribers/count"))["route"] == "get");
}

TEST_CASE("router: OPTIONS and HEAD are automatic", "[router]") {
  router r;
  REQUIRE(r.add("GET", "/a/{id}", echo("get")));
  REQUIRE(r.add("POST", "/a/{id}", echo("post")));
  auto opt = call(r, "OPTIONS", "/a/1");
  REQUIRE(opt);
  CHECK(opt->status == 204);
  CHECK(opt->body.empty());
  CHECK(opt->header("allow") == "GET, HEAD, OPTIONS, POST");
  CHECK(call(r, "OPTIONS", "/b")->status == 404);
  CHECK(body_of(*call(r, "HEAD", "/a/1"))["route"] == "get");

  REQUIRE(r.add("OPTIONS", "/a/{id}", echo("own options")));
  CHECK(body_of(*call(r, "OPTIONS", "/a/1"))["route"] == "own options");
}

TEST_CASE("router: match() reports without dispatching", "[router]") {
  router r;
  REQUIRE(r.add("GET", "/x/{a}/y", echo("g")));
  auto m = r.match("GET", "/x/1/y");
  CHECK(m.result == route_match::kind::found);
  CHECK(m.pattern == "/x/{a}/y");
  CHECK(m.params.at("a") == "1");
  CHECK(r.match("POST", "/x/1/y").result ==
        route_match::kind::method_not_allowed);
  CHECK(r.match("GET", "/x/1").result == route_match::kind::not_found);
  CHECK(r.match("GET", "").result == route_match::kind::not_found);
}

TEST_CASE("router: bad patterns and duplicates are refused", "[router]") {
  router r;
  CHECK_FALSE(r.add("GET", "no/slash", echo("")));
  CHECK_FALSE(r.add("GET", "/a/{}", echo("")));
  CHECK_FALSE(r.add("GET", "/a/{x}/{x}", echo("")));
  CHECK_FALSE(r.add("GET", "/a/{b-c}", echo("")));
  CHECK_FALSE(r.add("", "/a", echo("")));
  CHECK_FALSE(r.add("GET", "/a", handler{}));
  REQUIRE(r.add("GET", "/a/{x}", echo("")));
  CHECK_FALSE(r.add("GET", "/a/{y}", echo("")));
  CHECK(r.add("PUT", "/a/{y}", echo("")));
}

TEST_CASE("router: to_handler shares the table", "[router]") {
  router r;
  auto h = r.to_handler();
  REQUIRE(r.add("GET", "/late", echo("late")));
  std::optional<response> out;
  h(make_request("GET", "/late"), [&](response res) { out = std::move(res); });
  REQUIRE(out);
  CHECK(out->status == 200);
}
