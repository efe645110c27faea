#include "mgmt/auth/password_hash.hpp"

#include "common/base64.hpp"
#include "common/hash.hpp"

#include <charconv>
#include <optional>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace sb::mgmt::auth {

namespace {

constexpr std::string_view scheme = "pbkdf2-sha256";
constexpr size_t salt_bytes = 16;
constexpr size_t hash_bytes = 32;
// Refuse absurd stored iteration counts: verifying must not become a way to
// burn a core for minutes.
constexpr unsigned max_iterations = 10'000'000;

bool pbkdf2(std::string_view password, const void* salt, size_t salt_len,
            unsigned iterations, unsigned char* out, size_t out_len) {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                           static_cast<const unsigned char*>(salt),
                           static_cast<int>(salt_len),
                           static_cast<int>(iterations), EVP_sha256(),
                           static_cast<int>(out_len), out) == 1;
}

struct parsed_hash {
  unsigned iterations = 0;
  std::string salt;
  std::string hash;
};

std::optional<parsed_hash> parse(std::string_view encoded) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    auto d = encoded.find('$');
    if (d == std::string_view::npos)
      return std::nullopt;
    parts[i] = encoded.substr(0, d);
    encoded.remove_prefix(d + 1);
  }
  parts[3] = encoded;
  if (parts[0] != scheme || parts[3].find('$') != std::string_view::npos)
    return std::nullopt;
  parsed_hash p;
  auto [end, ec] = std::from_chars(
      parts[1].data(), parts[1].data() + parts[1].size(), p.iterations);
  if (ec != std::errc{} || end != parts[1].data() + parts[1].size() ||
      p.iterations == 0 || p.iterations > max_iterations)
    return std::nullopt;
  auto salt = decode_base64(parts[2]);
  auto hash = decode_base64(parts[3]);
  if (!salt || !hash || salt->empty() || hash->size() != hash_bytes)
    return std::nullopt;
  p.salt = std::move(*salt);
  p.hash = std::move(*hash);
  return p;
}

} // namespace

result<std::string> hash_password(std::string_view password,
                                  unsigned iterations) {
  if (iterations == 0 || iterations > max_iterations)
    return error{"invalid PBKDF2 iteration count"};
  unsigned char salt[salt_bytes];
  unsigned char hash[hash_bytes];
  if (RAND_bytes(salt, sizeof salt) != 1)
    return error{"no randomness for a password salt"};
  if (!pbkdf2(password, salt, sizeof salt, iterations, hash, sizeof hash))
    return error{"PBKDF2 failed"};
  return std::string(scheme) + "$" + std::to_string(iterations) + "$" +
         encode_base64(salt, sizeof salt) + "$" +
         encode_base64(hash, sizeof hash);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  auto p = parse(encoded);
  if (!p)
    return false;
  unsigned char hash[hash_bytes];
  if (!pbkdf2(password, p->salt.data(), p->salt.size(), p->iterations, hash,
              sizeof hash))
    return false;
  return CRYPTO_memcmp(hash, p->hash.data(), hash_bytes) == 0;
}

bool needs_rehash(std::string_view encoded, unsigned iterations) {
  auto p = parse(encoded);
  return !p || p->iterations < iterations;
}

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) !=
      1)
    return {};
  return to_hex(std::span<const unsigned char>(out, len));
}

} // namespace sb::mgmt::auth
