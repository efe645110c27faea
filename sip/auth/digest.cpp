#include "sip/auth/digest.hpp"

#include "common/hash.hpp"

#include <openssl/evp.h>

namespace sb::sip::auth {

namespace {

// RFC 3261 section 25.1 quoted-pair: escape the two characters a
// quoted-string cannot carry as they are.
void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
}

} // namespace

std::string_view to_string(digest_algorithm algorithm) {
  return algorithm == digest_algorithm::md5 ? "MD5" : "SHA-256";
}

std::size_t hex_length(digest_algorithm algorithm) {
  return algorithm == digest_algorithm::md5 ? 32 : 64;
}

std::string digest_hex(digest_algorithm algorithm, std::string_view data) {
  const EVP_MD* md =
      algorithm == digest_algorithm::md5 ? EVP_md5() : EVP_sha256();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (md == nullptr ||
      EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    return {};
  return to_hex(std::span<const unsigned char>(out, len));
}

result<std::string> ha1(std::string_view user, std::string_view realm,
                        std::string_view password, digest_algorithm algorithm) {
  std::string a1;
  a1.append(user).append(":").append(realm).append(":").append(password);
  auto hex = digest_hex(algorithm, a1);
  // An empty HA1 must never be stored: anyone could answer its challenges.
  if (hex.empty())
    return error{"digest for SIP HA1 unavailable (OpenSSL provider)"};
  return hex;
}

std::string make_challenge(std::string_view realm, std::string_view nonce,
                           digest_algorithm algorithm, bool stale,
                           std::string_view opaque) {
  std::string out = "Digest realm=";
  append_quoted(out, realm);
  out += ", nonce=";
  append_quoted(out, nonce);
  if (!opaque.empty()) {
    out += ", opaque=";
    append_quoted(out, opaque);
  }
  out.append(", algorithm=").append(to_string(algorithm));
  out += ", qop=\"auth\"";
  if (stale)
    out += ", stale=true";
  return out;
}

std::string expected_response(std::string_view ha1, std::string_view method,
                              std::string_view uri, std::string_view nonce,
                              std::string_view nc, std::string_view cnonce,
                              std::string_view qop,
                              digest_algorithm algorithm) {
  if (!qop.empty() && qop != "auth")
    return {};
  std::string a2;
  a2.append(method).append(":").append(uri);
  auto ha2 = digest_hex(algorithm, a2);
  if (ha2.empty())
    return {};
  std::string kd;
  kd.append(ha1).append(":").append(nonce).append(":");
  if (!qop.empty())
    kd.append(nc).append(":").append(cnonce).append(":").append(qop).append(
        ":");
  kd.append(ha2);
  return digest_hex(algorithm, kd);
}

std::string_view to_string(nonce_check check) {
  switch (check) {
  case nonce_check::valid:
    return "valid";
  case nonce_check::stale:
    return "stale";
  case nonce_check::invalid:
    return "invalid";
  }
  return "?";
}

std::string_view to_string(nc_verdict verdict) {
  switch (verdict) {
  case nc_verdict::accepted:
    return "accepted";
  case nc_verdict::replay:
    return "replay";
  case nc_verdict::unknown_evicted:
    return "unknown_evicted";
  }
  return "?";
}

std::string_view to_string(digest_verdict verdict) {
  switch (verdict) {
  case digest_verdict::ok:
    return "ok";
  case digest_verdict::bad_response:
    return "bad_response";
  case digest_verdict::stale_nonce:
    return "stale_nonce";
  case digest_verdict::bad_nonce:
    return "bad_nonce";
  case digest_verdict::replay:
    return "replay";
  case digest_verdict::realm_mismatch:
    return "realm_mismatch";
  case digest_verdict::unsupported:
    return "unsupported";
  }
  return "?";
}

} // namespace sb::sip::auth
