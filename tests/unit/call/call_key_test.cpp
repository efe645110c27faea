// A call's placement key from either leg's Call-ID: an lb finds the home
// node of an in-dialog request of the B leg as of the A leg.
#include "actors/call/call_key.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;

TEST_CASE("call key: both legs of a call have the same key", "[call_key]") {
  for (auto a : {"a84b4c76e66710@pc33.atlanta.com", "1-2@127.0.0.1", "x",
                 "weird-0123456789abcdef-b2b-not"}) {
    auto b = b_leg_call_id("k3j4h5g6f7d8s9a0", a);
    CHECK(b.ends_with("-b2b"));
    CHECK(b.starts_with("k3j4h5g6f7d8s9a0-"));
    CHECK(call_home_key(b) == call_home_key(a));
    CHECK(call_home_key(a).starts_with("call:"));
    CHECK(call_home_key(a).size() == 5 + 16);
  }
  // Different calls, different keys (the hash is fixed: every node agrees).
  CHECK(call_home_key("one@host") != call_home_key("two@host"));
  CHECK(call_home_key("one@host") == call_home_key("one@host"));
}

TEST_CASE("call key: a Call-ID that only looks like a B leg's is hashed",
          "[call_key]") {
  // Not hex, or no dash before the digits: an ordinary Call-ID.
  std::string fake = "abc-0123456789abcdeg-b2b";
  CHECK(call_home_key(fake) != "call:0123456789abcdeg");
  CHECK(call_home_key("abc_0123456789abcdef-b2b") != "call:0123456789abcdef");
  CHECK(call_home_key("-b2b") != "call:");
  // A UA's Call-ID in the B form routes to the key it names, where no call
  // has it: answered 481 there, as anywhere.
  CHECK(call_home_key("zz-0123456789abcdef-b2b") == "call:0123456789abcdef");
}

TEST_CASE("call key: request ids name the node that sent them", "[call_key]") {
  CHECK_FALSE(request_id_host(1));
  CHECK_FALSE(request_id_host((uint64_t{1} << 48) - 1)); // an edge's own
  for (size_t host : {size_t{0}, size_t{1}, size_t{7}, size_t{300}}) {
    auto a = cluster_request_id(host, 1);
    auto b = cluster_request_id(host, 2);
    CHECK(a != b);
    CHECK(request_id_host(a) == host);
    CHECK(request_id_host(b) == host);
  }
  CHECK(cluster_request_id(0, 5) != cluster_request_id(1, 5));
  CHECK_FALSE(cluster_request_id(3, 9) >> 63); // never a remote key
}
