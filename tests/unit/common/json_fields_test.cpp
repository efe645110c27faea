// JSON text from another node read into a value: what is not JSON, and
// what the decoder refuses, are errors that name what was being read.
#include "common/json_fields.hpp"

#include <catch2/catch.hpp>

using sb::decode_json_text;
using sb::error;
using sb::result;

namespace {

result<int> port_of(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("port") || !j["port"].is_number_integer())
    return error{"no port"};
  return j["port"].get<int>();
}

} // namespace

TEST_CASE("json text: decoded, or an error naming what it was",
          "[common][json]") {
  auto ok = decode_json_text(R"({"port": 5060})", "a peer's port", port_of);
  REQUIRE(ok.ok());
  CHECK(*ok == 5060);
  auto not_json = decode_json_text("{port: ", "a peer's port", port_of);
  REQUIRE_FALSE(not_json.ok());
  CHECK(not_json.err().message == "a peer's port: not JSON");
  auto refused = decode_json_text(R"({"port": "x"})", "a peer's port", port_of);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message == "no port");
  CHECK_FALSE(decode_json_text("", "empty", port_of).ok());
}
