#include "actors/call/call_key.hpp"

#include "cluster/placement.hpp"

#include <cstdio>

namespace sb::actors::call {

namespace {

constexpr std::string_view b_suffix = "-b2b";
constexpr size_t hex_digits = 16;

std::string hash_hex(std::string_view call_id) {
  char buf[hex_digits + 1];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(cluster::key_hash(call_id)));
  return std::string(buf, hex_digits);
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace

std::string call_home_key(std::string_view call_id) {
  // "<token>-<hex>-b2b": the hash of the caller's Call-ID it carries.
  if (call_id.size() > hex_digits + b_suffix.size() + 1 &&
      call_id.ends_with(b_suffix)) {
    auto hex = call_id.substr(call_id.size() - b_suffix.size() - hex_digits,
                              hex_digits);
    auto dash = call_id[call_id.size() - b_suffix.size() - hex_digits - 1];
    if (dash == '-' && is_hex(hex))
      return "call:" + std::string(hex);
  }
  return "call:" + hash_hex(call_id);
}

std::string b_leg_call_id(std::string_view token, std::string_view a_call_id) {
  return std::string(token) + "-" + hash_hex(a_call_id) + std::string(b_suffix);
}

uint64_t cluster_request_id(size_t host_index, uint64_t counter) {
  return (static_cast<uint64_t>(host_index + 1) << 48) |
         (counter & ((uint64_t{1} << 48) - 1));
}

std::optional<size_t> request_id_host(uint64_t id) {
  auto host = (id >> 48) & 0x7fff;
  if (host == 0)
    return std::nullopt;
  return static_cast<size_t>(host - 1);
}

} // namespace sb::actors::call
