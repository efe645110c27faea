#include "sip/msg/sip_message.hpp"

#include <algorithm>
#include <cctype>

namespace sb::sip {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::optional<std::string> sip_message::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequal(h.name, name))
      return h.value;
  return std::nullopt;
}

std::vector<std::string>
sip_message::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& h : headers)
    if (iequal(h.name, name))
      out.push_back(h.value);
  return out;
}

} // namespace sb::sip
