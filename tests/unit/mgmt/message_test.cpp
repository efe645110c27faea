#include "mgmt/http/message.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using namespace sb::mgmt::http;

TEST_CASE("http message: percent decoding and query parsing", "[mgmt][http]") {
  CHECK(percent_decode("a%20b%2Fc") == "a b/c");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("bad%zzend%4") == "bad%zzend%4");
  CHECK(percent_decode("%") == "%");

  auto q = parse_query("a=1&b=x%20y&a=2&flag&&c=%3D");
  CHECK(q.count("a") == 2);
  CHECK(q.find("b")->second == "x y");
  CHECK(q.find("flag")->second.empty());
  CHECK(q.find("c")->second == "=");

  auto [path, query] = split_target("/p/q?x=1?y");
  CHECK(path == "/p/q");
  CHECK(query == "x=1?y");
  CHECK(split_target("/only").second.empty());
}

TEST_CASE("http message: headers are case-insensitive", "[mgmt][http]") {
  request rq;
  rq.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}};
  CHECK(rq.header("content-type") == "application/json");
  CHECK(rq.header("x-a") == "1");
  CHECK_FALSE(rq.header("x-b"));
  rq.query = parse_query("k=v");
  CHECK(rq.query_value("k") == "v");
  CHECK_FALSE(rq.query_value("z"));

  response r;
  r.set_header("X-Thing", "a").set_header("x-thing", "b");
  CHECK(r.headers.size() == 1);
  CHECK(r.header("X-THING") == "b");
}

TEST_CASE("http message: response helpers", "[mgmt][http]") {
  auto j = response::json(201, {{"id", 7}});
  CHECK(j.status == 201);
  CHECK(j.header("Content-Type") == "application/json");
  CHECK(j.body == R"({"id":7})");

  auto t = response::text(200, "hi");
  CHECK(t.header("content-type") == "text/plain; charset=utf-8");
  CHECK(t.body == "hi");

  auto e = response::error(404, "no such subscriber");
  CHECK(e.status == 404);
  CHECK(e.body == R"({"code":404,"message":"no such subscriber"})");

  // Messages may echo client bytes; invalid UTF-8 must not throw.
  auto bad = response::error(400, std::string("bad \xff byte"));
  CHECK(bad.status == 400);
  CHECK(nlohmann::json::parse(bad.body)["code"] == 400);
}
