#include "mgmt/auth/base64.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::mgmt::auth;

namespace {

std::string enc(const std::string& s) {
  return encode_base64(reinterpret_cast<const unsigned char*>(s.data()),
                       s.size());
}

} // namespace

TEST_CASE("base64 round-trips RFC 4648 section 10 vectors", "[auth]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, coded] : vectors) {
    INFO(plain);
    CHECK(enc(plain) == coded);
    auto back = decode_base64(coded);
    REQUIRE(back);
    CHECK(*back == plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  CHECK(decode_base64(enc(all)) == all);
}

TEST_CASE("non-canonical base64 is refused", "[auth]") {
  const char* bad[] = {
      "Zg",   "Zg=",   "Zg===",    "====", "Z===", "Zm9v ", " Zm9v",
      "Zm 9", "Zm9\n", "Zg==Zg==", "Z=9v", "Zm-v", "Zm_v",  "Zm9v\r\n"};
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(decode_base64(b));
  }
}
