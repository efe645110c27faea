#include "mgmt/auth/password_hash.hpp"

#include <charconv>
#include <optional>
#include <vector>

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

std::string base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  auto len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                             static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

// Decodes standard padded base64; nullopt on anything else.
std::optional<std::vector<unsigned char>> unbase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0)
    return std::nullopt;
  std::vector<unsigned char> out(s.size() / 4 * 3);
  auto len = EVP_DecodeBlock(out.data(),
                             reinterpret_cast<const unsigned char*>(s.data()),
                             static_cast<int>(s.size()));
  if (len < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t pad = (s.back() == '=') + (s.size() > 1 && s[s.size() - 2] == '=');
  out.resize(static_cast<size_t>(len) - pad);
  return out;
}

bool pbkdf2(std::string_view password, const unsigned char* salt,
            size_t salt_len, unsigned iterations, unsigned char* out,
            size_t out_len) {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                           salt, static_cast<int>(salt_len),
                           static_cast<int>(iterations), EVP_sha256(),
                           static_cast<int>(out_len), out) == 1;
}

struct parsed_hash {
  unsigned iterations = 0;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> hash;
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
  auto salt = unbase64(parts[2]);
  auto hash = unbase64(parts[3]);
  if (!salt || !hash || salt->empty() || hash->size() != hash_bytes)
    return std::nullopt;
  p.salt = std::move(*salt);
  p.hash = std::move(*hash);
  return p;
}

std::string hex_digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 0xf];
  }
  return hex;
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
         base64(salt, sizeof salt) + "$" + base64(hash, sizeof hash);
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

std::string sip_ha1(std::string_view user, std::string_view realm,
                    std::string_view password, digest_algorithm algorithm) {
  std::string a1;
  a1.append(user).append(":").append(realm).append(":").append(password);
  return hex_digest(
      algorithm == digest_algorithm::md5 ? EVP_md5() : EVP_sha256(), a1);
}

} // namespace sb::mgmt::auth
