#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb::mgmt::auth {

/// Longest base64 text decode_base64() accepts: credentials and stored hashes
/// are short, so anything longer is refused before any work is done.
inline constexpr std::size_t max_base64_length = 4096;

/// Standard base64 (RFC 4648 section 4, with padding) of `n` bytes.
std::string encode_base64(const unsigned char* data, std::size_t n);

/// Decodes canonical padded base64: only the RFC 4648 alphabet, a length that
/// is a multiple of 4, and '=' only as one or two final characters. No
/// whitespace, no URL-safe alphabet, nothing longer than max_base64_length.
/// nullopt otherwise. The result is the exact decoded bytes (padding is not
/// counted, unlike EVP_DecodeBlock's return value).
std::optional<std::string> decode_base64(std::string_view text);

} // namespace sb::mgmt::auth
