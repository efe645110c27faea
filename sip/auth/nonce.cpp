#include "sip/auth/digest.hpp"

#include "common/base64.hpp"

#include <array>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace sb::sip::auth {

namespace {

constexpr std::size_t time_bytes = 8;
constexpr std::size_t random_bytes = 8;
constexpr std::size_t mac_bytes = 16;
constexpr std::size_t nonce_bytes = time_bytes + random_bytes + mac_bytes;

using raw_nonce = std::array<unsigned char, nonce_bytes>;

// HMAC-SHA256(secret, timestamp || random || realm), truncated to 16 bytes
// (RFC 2104 section 5 allows truncation to half the output). The realm comes
// last and the other two are fixed-size, so the input is unambiguous.
bool mac(std::string_view secret, std::string_view realm,
         const unsigned char* prefix, unsigned char* out) {
  std::string input(reinterpret_cast<const char*>(prefix),
                    time_bytes + random_bytes);
  input.append(realm);
  // HMAC() wants a non-null key pointer even for an empty key.
  static const unsigned char empty_key = 0;
  const void* key =
      secret.empty() ? static_cast<const void*>(&empty_key) : secret.data();
  unsigned char full[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(),
           full, &len) == nullptr ||
      len < mac_bytes)
    return false;
  std::memcpy(out, full, mac_bytes);
  return true;
}

std::optional<raw_nonce> decode(std::string_view nonce) {
  auto bytes = decode_base64url(nonce);
  if (!bytes || bytes->size() != nonce_bytes)
    return std::nullopt;
  raw_nonce raw;
  std::memcpy(raw.data(), bytes->data(), nonce_bytes);
  return raw;
}

int64_t timestamp_of(const raw_nonce& raw) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < time_bytes; ++i)
    v = (v << 8) | raw[i];
  return static_cast<int64_t>(v);
}

} // namespace

std::string make_nonce(std::string_view secret, std::string_view realm,
                       int64_t now_s,
                       std::span<const unsigned char, 8> random) {
  raw_nonce raw;
  auto t = static_cast<uint64_t>(now_s);
  for (std::size_t i = 0; i < time_bytes; ++i)
    raw[time_bytes - 1 - i] = static_cast<unsigned char>(t >> (8 * i));
  std::memcpy(raw.data() + time_bytes, random.data(), random_bytes);
  if (!mac(secret, realm, raw.data(), raw.data() + time_bytes + random_bytes))
    return {};
  return encode_base64url(raw.data(), raw.size());
}

nonce_check check_nonce(std::string_view secret, std::string_view realm,
                        std::string_view nonce, int64_t now_s,
                        int64_t max_age_s) {
  auto raw = decode(nonce);
  if (!raw)
    return nonce_check::invalid;
  unsigned char want[mac_bytes];
  if (!mac(secret, realm, raw->data(), want) ||
      CRYPTO_memcmp(want, raw->data() + time_bytes + random_bytes, mac_bytes) !=
          0)
    return nonce_check::invalid;
  // Differences in unsigned arithmetic: both values are any int64_t, and the
  // larger minus the smaller always fits in uint64_t.
  const int64_t issued = timestamp_of(*raw);
  if (issued > now_s) {
    auto ahead = static_cast<uint64_t>(issued) - static_cast<uint64_t>(now_s);
    return ahead > static_cast<uint64_t>(nonce_future_tolerance_s)
               ? nonce_check::stale
               : nonce_check::valid;
  }
  auto age = static_cast<uint64_t>(now_s) - static_cast<uint64_t>(issued);
  return max_age_s < 0 || age > static_cast<uint64_t>(max_age_s)
             ? nonce_check::stale
             : nonce_check::valid;
}

std::optional<int64_t> nonce_timestamp(std::string_view nonce) {
  auto raw = decode(nonce);
  if (!raw)
    return std::nullopt;
  return timestamp_of(*raw);
}

} // namespace sb::sip::auth
