#include "common/base64.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb;

namespace {

std::string enc(const std::string& s) {
  return encode_base64(reinterpret_cast<const unsigned char*>(s.data()),
                       s.size());
}

std::string enc_url(const std::string& s) {
  return encode_base64url(reinterpret_cast<const unsigned char*>(s.data()),
                          s.size());
}

std::string all_bytes() {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  return all;
}

} // namespace

TEST_CASE("base64 round-trips RFC 4648 section 10 vectors", "[base64]") {
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
  CHECK(decode_base64(enc(all_bytes())) == all_bytes());
}

TEST_CASE("non-canonical base64 is refused", "[base64]") {
  const char* bad[] = {"Zg", "Zg=", "Zg===", "====", "Z===", "Zm9v ", " Zm9v",
                       "Zm 9", "Zm9\n", "Zg==Zg==", "Z=9v", "Zm-v", "Zm_v",
                       "Zm9v\r\n",
                       // Non-zero bits under the padding: "f" is only Zg==.
                       "Zh==", "Zm9=", "=Zg="};
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(decode_base64(b));
  }
  CHECK_FALSE(decode_base64(std::string(max_base64_length + 4, 'A')));
  CHECK(decode_base64(std::string(max_base64_length, 'A')));
}

TEST_CASE("base64url has no padding and the URL alphabet", "[base64]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"\xfb\xff", "-_8"},
  };
  for (const auto& [plain, coded] : vectors) {
    INFO(coded);
    CHECK(enc_url(plain) == coded);
    auto back = decode_base64url(coded);
    REQUIRE(back);
    CHECK(*back == plain);
  }
  CHECK(decode_base64url(enc_url(all_bytes())) == all_bytes());
  const char* bad[] = {"Z",   "Zg==", "Zg=",  "+/8",  "Zh",
                       "Zm9", " Zg",  "Zg\n", "Zm9vY"};
  for (const char* b : bad) {
    INFO(b);
    CHECK_FALSE(decode_base64url(b));
  }
}
