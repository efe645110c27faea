#include "mgmt/rest/query.hpp"

#include "mgmt/http/message.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace sb::mgmt::rest;
using sb::mgmt::http::parse_query;

namespace {

const list_spec spec{{"id", "domain"}, {"domain", "reseller_id"}, 1000};

const char* const paging =
    "Query parameters 'page' and 'rows', when specified, must be greater "
    "than 0.";

api_result<list_query> parse(std::string_view q) {
  return parse_list_query(parse_query(q), spec);
}

} // namespace

TEST_CASE("rest query: defaults", "[rest]") {
  auto q = parse("");
  REQUIRE(q);
  CHECK(q->page == 1);
  CHECK(q->rows == 10);
  CHECK_FALSE(q->order_by);
  CHECK(q->direction == sort_direction::asc);
  CHECK(q->filters.empty());
  CHECK(q->offset() == 0);
}

TEST_CASE("rest query: page and rows", "[rest]") {
  auto q = parse("page=3&rows=25");
  REQUIRE(q);
  CHECK(q->page == 3);
  CHECK(q->rows == 25);
  CHECK(q->offset() == 50);
  CHECK(parse("page=007")->page == 7);

  SECTION("rows is capped at max_rows") {
    CHECK(parse("rows=5000")->rows == 1000);
    CHECK(parse("rows=99999999999999999999999")->rows == 1000);
    list_spec small{{}, {}, 50};
    CHECK(parse_list_query(parse_query("rows=51"), small)->rows == 50);
  }
  SECTION("huge pages saturate the offset") {
    auto big = parse("page=99999999999999999999999&rows=1000");
    REQUIRE(big);
    CHECK(big->offset() == std::numeric_limits<std::uint64_t>::max());
  }
  SECTION("invalid values are 400 with the reference message") {
    for (const char* s :
         {"page=0", "rows=0", "page=-1", "rows=abc", "page=", "page=1.5",
          "rows=+5", "page=%201", "page=1&rows=00"}) {
      INFO(s);
      auto bad = parse(s);
      REQUIRE_FALSE(bad);
      CHECK(bad.err().status == 400);
      CHECK(bad.err().message == paging);
    }
  }
}

TEST_CASE("rest query: ordering", "[rest]") {
  auto q = parse("order_by=domain&order_by_direction=DeSc");
  REQUIRE(q);
  CHECK(q->order_by == "domain");
  CHECK(q->direction == sort_direction::desc);
  CHECK(parse("order_by_direction=ASC")->direction == sort_direction::asc);
  CHECK_FALSE(parse("order_by=")->order_by);

  auto bad = parse("order_by=password");
  REQUIRE_FALSE(bad);
  CHECK(bad.err().status == 400);
  CHECK(bad.err().message ==
        "Invalid order_by field 'password', must be one of 'id', 'domain'");

  auto dir = parse("order_by_direction=up");
  REQUIRE_FALSE(dir);
  CHECK(dir.err().status == 400);
  CHECK(dir.err().message ==
        "Invalid order_by_direction 'up', must be 'asc' or 'desc'");
}

TEST_CASE("rest query: declared filters only, first value wins", "[rest]") {
  auto q = parse("domain=a%2Ab&reseller_id=1&reseller_id=2&bogus=1&expand=x");
  REQUIRE(q);
  CHECK(q->filters == std::map<std::string, std::string>{{"domain", "a*b"},
                                                         {"reseller_id", "1"}});
}

TEST_CASE("rest query: reads an http request", "[rest]") {
  sb::mgmt::http::request rq;
  rq.query = parse_query("page=2&rows=5&domain=x");
  auto q = parse_list_query(rq, spec);
  REQUIRE(q);
  CHECK(q->page == 2);
  CHECK(q->rows == 5);
  CHECK(q->filters.at("domain") == "x");
}
