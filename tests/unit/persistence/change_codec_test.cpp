#include "persistence/provlog/change.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace sb::persistence;

namespace {

change sample() {
  change c;
  c.position = 42;
  c.time_ms = -1234567890123;
  c.origin = "sp1";
  c.mutations.push_back(
      {"provisioning", "sub:alice", std::string("{\"a\":1}")});
  c.mutations.push_back({"provisioning", std::string("bin\0\xff", 5),
                         std::string("\0\x80\x7f", 3)});
  c.mutations.push_back({"registrations", "gone", std::nullopt});
  return c;
}

} // namespace

TEST_CASE("persistence: a change round-trips through its encoding",
          "[persistence][provlog]") {
  SECTION("with binary keys, values and a delete") {
    auto c = sample();
    auto bytes = encode_change(c);
    CHECK(bytes.substr(0, 3) == "SBC");
    CHECK(static_cast<uint8_t>(bytes[3]) == change_encoding_version);
    auto back = decode_change(bytes);
    REQUIRE(back.ok());
    CHECK(*back == c);
  }
  SECTION("empty") {
    change c;
    auto back = decode_change(encode_change(c));
    REQUIRE(back.ok());
    CHECK(*back == c);
  }
  SECTION("an empty value is not a delete") {
    change c;
    c.mutations.push_back({"provisioning", "k", std::string()});
    auto back = decode_change(encode_change(c));
    REQUIRE(back.ok());
    REQUIRE(back->mutations[0].value.has_value());
    CHECK(back->mutations[0].value->empty());
  }
  SECTION("a long value (multi-byte lengths)") {
    change c;
    c.mutations.push_back({"provisioning", "k", std::string(100000, 'x')});
    auto back = decode_change(encode_change(c));
    REQUIRE(back.ok());
    CHECK(*back == c);
  }
}

TEST_CASE("persistence: decoding rejects malformed input without crashing",
          "[persistence][provlog]") {
  auto good = encode_change(sample());

  SECTION("empty and foreign input") {
    CHECK_FALSE(decode_change("").ok());
    CHECK_FALSE(decode_change("{\"position\":1}").ok());
    CHECK_THAT(decode_change("XYZ\x01").err().message,
               Catch::Contains("malformed provisioning change"));
  }
  SECTION("every truncation") {
    for (size_t n = 0; n < good.size(); ++n)
      CHECK_FALSE(decode_change(good.substr(0, n)).ok());
  }
  SECTION("trailing bytes") {
    CHECK_THAT(decode_change(good + "x").err().message,
               Catch::Contains("trailing"));
  }
  SECTION("an unknown version") {
    auto bad = good;
    bad[3] = 2;
    CHECK_THAT(decode_change(bad).err().message,
               Catch::Contains("unsupported encoding version 2"));
  }
  SECTION("a huge mutation count") {
    change c;
    auto bytes = encode_change(c);
    bytes.pop_back();                         // the count 0
    bytes += std::string(9, '\xff') + '\x01'; // 2^64 - 1
    CHECK_THAT(decode_change(bytes).err().message,
               Catch::Contains("exceeds the input size"));
  }
  SECTION("an overlong varint") {
    change c;
    auto bytes = encode_change(c);
    bytes.pop_back();
    bytes += std::string(11, '\x80');
    CHECK_FALSE(decode_change(bytes).ok());
  }
  SECTION("every single-byte corruption decodes or fails cleanly") {
    for (size_t i = 0; i < good.size(); ++i)
      for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        auto bad = good;
        bad[i] = static_cast<char>(v);
        (void)decode_change(bad); // must not crash, leak or over-read
      }
  }
  SECTION("random bytes") {
    std::mt19937 rng(12345); // fixed seed: reproducible
    std::uniform_int_distribution<int> byte(0, 255), len(0, 64);
    for (int i = 0; i < 2000; ++i) {
      std::string junk = "SBC\x01";
      for (int n = len(rng); n > 0; --n)
        junk.push_back(static_cast<char>(byte(rng)));
      (void)decode_change(junk);
    }
  }
}
