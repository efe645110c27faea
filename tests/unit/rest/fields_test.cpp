#include "mgmt/rest/fields.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::rest;
using nlohmann::json;

namespace {

std::vector<field_spec> specs() {
  std::vector<field_spec> s(8);
  s[0].name = "domain";
  s[0].type = field_type::string;
  s[0].required = true;
  s[0].max_length = 5;
  s[1].name = "port";
  s[1].type = field_type::integer;
  s[1].min = 1;
  s[1].max = 65535;
  s[1].default_value = 5060;
  s[2].name = "transport";
  s[2].type = field_type::string;
  s[2].enum_values = {"udp", "tcp", "tls"};
  s[2].default_value = "udp";
  s[3].name = "enabled";
  s[3].type = field_type::boolean;
  s[4].name = "note";
  s[4].type = field_type::string;
  s[4].nullable = true;
  s[5].name = "id";
  s[5].type = field_type::integer;
  s[5].read_only = true;
  s[6].name = "weight";
  s[6].type = field_type::number;
  s[6].min = 0;
  s[6].check = [](const json& v) -> std::optional<std::string> {
    if (v.get<double>() == 13)
      return "Unlucky";
    return std::nullopt;
  };
  s[7].name = "tags";
  s[7].type = field_type::array;
  return s;
}

const field_error* find(const std::vector<field_error>& errs,
                        const std::string& name) {
  for (const auto& e : errs)
    if (e.field == name)
      return &e;
  return nullptr;
}

} // namespace

TEST_CASE("rest fields: a valid body", "[rest]") {
  CHECK(validate({{"domain", "ex"}}, specs()).empty());
  CHECK(validate({{"domain", "ex"},
                  {"port", 5061},
                  {"transport", "tls"},
                  {"enabled", true},
                  {"note", nullptr},
                  {"weight", 1.5},
                  {"tags", json::array()}},
                 specs())
            .empty());
}

TEST_CASE("rest fields: every problem is collected", "[rest]") {
  const json body = {{"port", 70000},        {"transport", "sctp"},
                     {"enabled", "yes"},     {"weight", -1},
                     {"tags", {{"k", "v"}}}, {"colour", "red"},
                     {"id", "not checked"}};
  auto errs = validate(body, specs());
  REQUIRE(errs.size() == 7);
  CHECK(errs[0].field == "domain");
  CHECK(errs[0].input.empty());
  CHECK(errs[0].errors == std::vector<std::string>{"Required field"});
  CHECK(errs[1].field == "port");
  CHECK(errs[1].input == "70000");
  CHECK(errs[1].errors ==
        std::vector<std::string>{"Value must be between 1 and 65535"});
  CHECK(errs[2].field == "transport");
  CHECK(errs[2].input == "sctp");
  CHECK(errs[2].errors == std::vector<std::string>{"Not a valid choice"});
  CHECK(errs[3].errors == std::vector<std::string>{"Not a valid boolean"});
  CHECK(errs[4].field == "weight");
  CHECK(errs[4].errors ==
        std::vector<std::string>{"Value must be greater than or equal to 0"});
  CHECK(errs[5].field == "tags");
  CHECK(errs[5].input == "{\"k\":\"v\"}");
  CHECK(errs[5].errors == std::vector<std::string>{"Not a valid array"});
  CHECK(errs[6].field == "colour");
  CHECK(errs[6].errors == std::vector<std::string>{"Unknown field"});

  CHECK(validation_failed(errs).message ==
        "Validation failed. field='domain', input='', errors='Required "
        "field'; field='port', input='70000', errors='Value must be between "
        "1 and 65535'; field='transport', input='sctp', errors='Not a valid "
        "choice'; field='enabled', input='yes', errors='Not a valid "
        "boolean'; field='weight', input='-1', errors='Value must be greater "
        "than or equal to 0'; field='tags', input='{\"k\":\"v\"}', "
        "errors='Not a valid array'; field='colour', input='red', "
        "errors='Unknown field'");
}

TEST_CASE("rest fields: individual rules", "[rest]") {
  const auto errors_of = [](const json& body, const std::string& field) {
    auto errs = validate(body, specs());
    const auto* e = find(errs, field);
    return e ? e->errors : std::vector<std::string>{};
  };
  using v = std::vector<std::string>;
  CHECK(errors_of({{"domain", nullptr}}, "domain") == v{"Required field"});
  CHECK(errors_of({{"domain", 5}}, "domain") == v{"Not a valid string"});
  CHECK(errors_of({{"domain", "abcdef"}}, "domain") ==
        v{"Field should not exceed 5 characters. You entered 6"});
  CHECK(errors_of({{"domain", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}},
                  "domain")
            .empty());
  CHECK(errors_of({{"domain", "a"}, {"port", 1.5}}, "port") ==
        v{"Not a valid integer"});
  CHECK(errors_of({{"domain", "a"}, {"port", "12x"}}, "port") ==
        v{"Not a valid integer"});
  CHECK(errors_of({{"domain", "a"}, {"port", "0"}}, "port") ==
        v{"Value must be between 1 and 65535"});
  CHECK(errors_of({{"domain", "a"}, {"weight", "abc"}}, "weight") ==
        v{"Not a valid number"});
  CHECK(errors_of({{"domain", "a"}, {"weight", 13}}, "weight") == v{"Unlucky"});
  CHECK(errors_of({{"domain", "a"}, {"enabled", 2}}, "enabled") ==
        v{"Not a valid boolean"});
  CHECK(errors_of({{"domain", "a"}, {"note", 1}}, "note") ==
        v{"Not a valid string"});

  field_spec obj{.name = "o", .type = field_type::object};
  field_spec at_most{.name = "m", .type = field_type::integer, .max = 3};
  CHECK(validate({{"o", 1}}, {obj})[0].errors == v{"Not a valid object"});
  CHECK(validate({{"m", 4}}, {at_most})[0].errors ==
        v{"Value must be less than or equal to 3"});
  // Beyond int64 must not wrap around into range.
  CHECK(validate(json::parse(R"({"m":18446744073709551615})"), {at_most})[0]
            .errors == v{"Value must be less than or equal to 3"});
  CHECK(validate({{"m", -5}}, {at_most}).empty());
  // Several errors of one field accumulate.
  field_spec many{.name = "s",
                  .type = field_type::string,
                  .enum_values = {"abcdef"},
                  .max_length = 2,
                  .check = [](const json&) {
                    return std::optional<std::string>("Custom");
                  }};
  CHECK(validate({{"s", "xyz"}}, {many})[0].errors ==
        v{"Not a valid choice",
          "Field should not exceed 2 characters. You entered 3", "Custom"});
}

TEST_CASE("rest fields: unknown members and HAL decoration", "[rest]") {
  const json body = {{"domain", "a"},
                     {"_links", {{"self", 1}}},
                     {"_embedded", 1},
                     {"id", 4},
                     {"extra", 1}};
  auto errs = validate(body, specs());
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].field == "extra");
  CHECK(validate(body, specs(), unknown_fields::ignore).empty());
  CHECK(validate(json::array(), specs())[0].errors ==
        std::vector<std::string>{"Not a valid object"});
}

TEST_CASE("rest fields: normalize fills defaults and coerces", "[rest]") {
  const json body = {
      {"domain", "a"},        {"port", "5070"},  {"enabled", 1},
      {"note", nullptr},      {"id", 9},         {"_links", 1},
      {"transport", nullptr}, {"weight", "2.5"}, {"extra", true}};
  REQUIRE(validate(body, specs(), unknown_fields::ignore).empty());
  CHECK(normalize(body, specs()) == json{{"domain", "a"},
                                         {"port", 5070},
                                         {"transport", "udp"},
                                         {"enabled", true},
                                         {"note", nullptr},
                                         {"weight", 2.5}});
  CHECK(normalize({{"domain", "a"}}, specs()) ==
        json{{"domain", "a"}, {"port", 5060}, {"transport", "udp"}});

  auto ok = validate_and_normalize({{"domain", "a"}}, specs());
  REQUIRE(ok);
  CHECK(ok->at("port") == 5060);
  auto bad = validate_and_normalize({{"port", 0}}, specs());
  REQUIRE_FALSE(bad);
  CHECK(bad.err().status == 422);
  CHECK(bad.err().message ==
        "Validation failed. field='domain', input='', errors='Required "
        "field'; field='port', input='0', errors='Value must be between 1 "
        "and 65535'");
}
