#include "sip/auth/digest.hpp"

#include <openssl/crypto.h>

namespace sb::sip::auth {

namespace {

// Lengths are public (they follow from the algorithm); contents are compared
// in constant time so timing does not reveal how much of a guess was right.
bool same_digest(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

digest_verdict verify(const digest_credentials& creds, std::string_view method,
                      std::string_view expected_realm, std::string_view ha1,
                      const nonce_params& nonce, nonce_counter& counter) {
  if ((!creds.qop.empty() && creds.qop != "auth") ||
      ha1.size() != hex_length(creds.algorithm))
    return digest_verdict::unsupported;
  if (creds.realm != expected_realm)
    return digest_verdict::realm_mismatch;
  const auto freshness = check_nonce(nonce.secret, expected_realm, creds.nonce,
                                     nonce.now_s, nonce.max_age_s);
  // The response binds the nonce string, so it can be checked even for a
  // nonce that is not ours: right means the client knows the password and
  // only needs a new nonce (e.g. after a secret change).
  const bool right = same_digest(
      creds.response,
      expected_response(ha1, method, creds.uri, creds.nonce, creds.nc,
                        creds.cnonce, creds.qop, creds.algorithm));
  if (freshness == nonce_check::invalid)
    return right ? digest_verdict::stale_nonce : digest_verdict::bad_nonce;
  if (!right)
    return digest_verdict::bad_response;
  if (freshness == nonce_check::stale)
    return digest_verdict::stale_nonce;
  const uint32_t nc =
      creds.qop.empty() ? nonce_counter::single_use : creds.nc_value;
  switch (counter.accept(creds.nonce, nc)) {
  case nc_verdict::accepted:
    return digest_verdict::ok;
  case nc_verdict::replay:
    return digest_verdict::replay;
  case nc_verdict::unknown_evicted:
    return digest_verdict::stale_nonce;
  }
  return digest_verdict::bad_nonce;
}

} // namespace sb::sip::auth
