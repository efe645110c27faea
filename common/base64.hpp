#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

/// Longest text the decoders accept: credentials, stored hashes and nonces
/// are short, so anything longer is refused before any work is done.
inline constexpr std::size_t max_base64_length = 4096;

/// Standard base64 (RFC 4648 section 4, with padding) of `n` bytes.
std::string encode_base64(const unsigned char* data, std::size_t n);

/// Decodes canonical padded base64: only the RFC 4648 section 4 alphabet, a
/// length that is a multiple of 4, '=' only as one or two final characters
/// and zero bits in what the padding leaves unused (RFC 4648 section 3.5). No
/// whitespace, no URL-safe alphabet, nothing longer than max_base64_length.
/// nullopt otherwise, so every byte string has exactly one accepted text.
std::optional<std::string> decode_base64(std::string_view text);

/// URL-safe base64 without padding (RFC 4648 section 5, '-' and '_'): safe
/// inside tokens and quoted strings of SIP and HTTP headers.
std::string encode_base64url(const unsigned char* data, std::size_t n);

/// Decodes canonical unpadded base64url: only the RFC 4648 section 5
/// alphabet, no '=', a length that is not 1 more than a multiple of 4, zero
/// unused bits, nothing longer than max_base64_length. nullopt otherwise, so
/// a decoded value has exactly one accepted text (nonces rely on this).
std::optional<std::string> decode_base64url(std::string_view text);

} // namespace sb
