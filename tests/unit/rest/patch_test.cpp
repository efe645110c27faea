#include "mgmt/rest/patch.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::rest;
using nlohmann::json;

namespace {

const std::vector<patch_op> all_ops{patch_op::replace, patch_op::copy,
                                    patch_op::add,     patch_op::remove,
                                    patch_op::test,    patch_op::move};

std::string invalid(const json& patch,
                    const std::vector<patch_op>& allowed = default_patch_ops) {
  auto st = validate_patch(patch, allowed);
  REQUIRE_FALSE(st);
  CHECK(st.err().status == 400);
  return st.err().message;
}

const json doc = {{"name", "a"}, {"tags", {"x", "y", "x"}}, {"n", 1}};

} // namespace

TEST_CASE("rest patch: op names", "[rest]") {
  for (auto op : all_ops)
    CHECK(patch_op_from(to_string(op)) == op);
  CHECK_FALSE(patch_op_from("Replace"));
}

TEST_CASE("rest patch: shape errors use the reference messages", "[rest]") {
  CHECK(invalid(json::object()) == "Body for PATCH must be an array.");
  CHECK(invalid(json::array({1})) ==
        "Array in body of PATCH must only contain hashes.");
  CHECK(invalid(json::parse(R"([{"path":"/a"}])")) ==
        "PATCH element must have an 'op' field.");
  CHECK(invalid(json::parse(R"([{"op":"bar"}])")) ==
        "Invalid PATCH op 'bar', must be one of 'replace', 'copy'");
  CHECK(invalid(json::parse(R"([{"op":"add","path":"/a","value":1}])")) ==
        "Invalid PATCH op 'add', must be one of 'replace', 'copy'");
  CHECK(invalid(json::parse(R"([{"op":5}])"),
                {patch_op::replace, patch_op::remove}) ==
        "Invalid PATCH op '5', must be one of 'replace', 'remove'");
  CHECK(invalid(json::parse(R"([{"op":"replace"}])")) ==
        "Missing PATCH keys 'path', 'value' for op 'replace'");
  CHECK(invalid(json::parse(R"([{"op":"copy","path":"/a"}])")) ==
        "Missing PATCH keys 'from' for op 'copy'");
  CHECK(invalid(json::parse(R"([{"op":"remove"}])"), all_ops) ==
        "Missing PATCH keys 'path' for op 'remove'");
  CHECK(invalid(json::parse(R"([{"op":"move","path":"/a"}])"), all_ops) ==
        "Missing PATCH keys 'from' for op 'move'");
  CHECK(invalid(json::parse(R"([{"op":"test","path":"/a"}])"), all_ops) ==
        "Missing PATCH keys 'value' for op 'test'");
  CHECK(invalid(json::parse(R"([{"op":"add","value":1}])"), all_ops) ==
        "Missing PATCH keys 'path' for op 'add'");
  CHECK(
      invalid(json::parse(
          R"([{"op":"replace","path":"/foo","value":"bar","invalid":"sna"}])")) ==
      "Invalid PATCH key 'invalid' for op 'replace', must be one of "
      "'path', 'value'");
  CHECK(invalid(json::parse(R"([{"op":"add","path":"/a","value":1,
                                 "mode":"prepend"}])"),
                all_ops) ==
        "Invalid PATCH op 'add' modifier 'mode' value 'prepend'. Allowed "
        "values are 'append'");
  // A later bad element fails the whole patch.
  CHECK(
      invalid(json::parse(
          R"([{"op":"replace","path":"/a","value":1},{"op":"remove","path":"/a"}])")) ==
      "Invalid PATCH op 'remove', must be one of 'replace', 'copy'");

  CHECK(validate_patch(json::array(), default_patch_ops));
  CHECK(validate_patch(
      json::parse(R"([{"op":"remove","path":"/a","value":1,"index":0},
                      {"op":"add","path":"/a","value":1,"mode":"append"}])"),
      all_ops));
}

TEST_CASE("rest patch: standard ops apply in order", "[rest]") {
  auto r = patch_document(doc, json::parse(R"([
      {"op":"replace","path":"/name","value":"b"},
      {"op":"copy","from":"/name","path":"/alias"}])"));
  REQUIRE(r);
  CHECK(
      *r ==
      json{{"name", "b"}, {"alias", "b"}, {"tags", {"x", "y", "x"}}, {"n", 1}});

  r = patch_document(doc, json::parse(R"([
      {"op":"test","path":"/n","value":1},
      {"op":"add","path":"/tags/-","value":"z"},
      {"op":"move","from":"/name","path":"/title"},
      {"op":"remove","path":"/n"}])"),
                     all_ops);
  REQUIRE(r);
  CHECK(*r == json{{"title", "a"}, {"tags", {"x", "y", "x", "z"}}});
}

TEST_CASE("rest patch: apply failures are 422 and leave nothing half-done",
          "[rest]") {
  const auto fails = [](const json& patch) {
    auto r = patch_document(doc, patch, all_ops);
    REQUIRE_FALSE(r);
    CHECK(r.err().status == 422);
    CHECK(r.err().message.rfind("The entity could not be processed: ", 0) == 0);
    return r.err().message;
  };
  CHECK(fails(json::parse(R"([{"op":"replace","path":"/missing","value":1}])"))
            .find("key 'missing' not found") != std::string::npos);
  CHECK(fails(json::parse(R"([{"op":"test","path":"/n","value":2}])"))
            .find("unsuccessful") != std::string::npos);
  fails(json::parse(R"([{"op":"replace","path":"name","value":1}])"));
  fails(json::parse(R"([{"op":"replace","path":5,"value":1}])"));
  fails(json::parse(R"([{"op":"copy","from":"/nope","path":"/x"}])"));
  // The message has no "[json.exception...]" prefix.
  CHECK(fails(json::parse(R"([{"op":"remove","path":"/zz"}])"))
            .find("[json.exception") == std::string::npos);
}

TEST_CASE("rest patch: reference extensions append and remove-by-value",
          "[rest]") {
  const auto apply = [](const char* patch) {
    auto r = patch_document(doc, json::parse(patch), all_ops);
    REQUIRE(r);
    return *r;
  };
  CHECK(apply(R"([{"op":"add","path":"/tags/-","value":["p","q"],
                   "mode":"append"}])")["tags"] ==
        json{"x", "y", "x", "p", "q"});
  CHECK(apply(R"([{"op":"add","path":"/new","value":"p",
                   "mode":"append"}])")["new"] == json{"p"});
  CHECK(apply(R"([{"op":"remove","path":"/tags","value":"x"}])")["tags"] ==
        json{"y"});
  CHECK(apply(R"([{"op":"remove","path":"/tags","value":"x",
                   "index":1}])")["tags"] == json{"x", "y"});
  CHECK(
      apply(R"([{"op":"remove","path":"/tags","value":["x","y"]}])")["tags"] ==
      json::array());
  CHECK_FALSE(
      apply(R"([{"op":"remove","path":"/n","value":1}])").contains("n"));
  CHECK(apply(R"([{"op":"remove","path":"/n","value":2}])")["n"] == 1);

  auto r = patch_document(doc, json::parse(R"([{"op":"add","path":"/name",
      "value":"z","mode":"append"}])"),
                          all_ops);
  REQUIRE_FALSE(r);
  CHECK(r.err().message == "The entity could not be processed: invalid "
                           "attempt to append in not-array path '/name'");
  r = patch_document(doc, json::parse(R"([{"op":"remove","path":"/tags",
      "value":"x","index":2}])"),
                     all_ops);
  REQUIRE_FALSE(r);
  CHECK(r.err().message ==
        "The entity could not be processed: delete index 2 out of bounds");
}
