#pragma once

#include "common/result.hpp"

#include <string>
#include <string_view>

namespace sb::mgmt::auth {

/// Iterations of PBKDF2-HMAC-SHA256 for new password hashes. Tests pass a
/// small count explicitly to stay fast.
inline constexpr unsigned default_pbkdf2_iterations = 100000;

/// Hashes a password for storage with PBKDF2-HMAC-SHA256 and a random
/// 16-byte salt (RAND_bytes), as
/// `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (32-byte hash, standard
/// padded base64). An error for iterations 0 or above 10,000,000, or when
/// OpenSSL has no randomness.
result<std::string>
hash_password(std::string_view password,
              unsigned iterations = default_pbkdf2_iterations);

/// Whether `password` matches a stored hash. Compares in constant time;
/// any malformed stored value simply does not match (wrong scheme, iterations
/// 0 or above 10,000,000, non-canonical base64, empty salt, hash not 32
/// bytes). Costs the stored iteration count of PBKDF2.
bool verify_password(std::string_view password, std::string_view encoded);

/// Whether a stored hash uses fewer iterations than `iterations` (or is not
/// ours) and should be replaced at the next successful login.
bool needs_rehash(std::string_view encoded,
                  unsigned iterations = default_pbkdf2_iterations);

/// SHA-256 of `data` in lowercase hex; empty when OpenSSL fails. A fast
/// hash: for fingerprints and caches, never for storing passwords. SIP digest
/// hashing (HA1) is sip/auth/digest.hpp's.
std::string sha256_hex(std::string_view data);

} // namespace sb::mgmt::auth
