#include "persistence/entities/entity_keys.hpp"

#include <charconv>
#include <cstdio>

namespace sb::persistence {

namespace {

std::string padded(uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu",
                static_cast<unsigned long long>(id));
  return buf;
}

} // namespace

std::string doc_prefix(std::string_view kind) {
  return "d/" + std::string(kind) + "/";
}

std::string doc_prefix_end(std::string_view kind) {
  auto end = doc_prefix(kind);
  end.back() = static_cast<char>(end.back() + 1); // '/' + 1
  return end;
}

std::string doc_key(std::string_view kind, uint64_t id) {
  return doc_prefix(kind) + padded(id);
}

std::string seq_key(std::string_view kind) {
  return "s/" + std::string(kind);
}

std::string unique_key(std::string_view index, std::string_view value) {
  return "u/" + std::string(index) + "/" + std::string(value);
}

std::string ref_prefix(std::string_view kind, std::string_view field,
                       uint64_t parent) {
  return "r/" + std::string(kind) + "/" + std::string(field) + "/" +
         padded(parent) + "/";
}

std::string ref_key(std::string_view kind, std::string_view field,
                    uint64_t parent, uint64_t id) {
  return ref_prefix(kind, field, parent) + padded(id);
}

uint64_t id_of_key(std::string_view key) {
  auto slash = key.rfind('/');
  if (slash == std::string_view::npos)
    return 0;
  uint64_t id = 0;
  auto tail = key.substr(slash + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), id);
  return ec == std::errc{} && p == tail.data() + tail.size() ? id : 0;
}

} // namespace sb::persistence
