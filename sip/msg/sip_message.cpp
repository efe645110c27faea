#include "sip/msg/sip_message.hpp"

#include "common/text.hpp"

namespace sb::sip {

std::optional<std::string> sip_message::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name))
      return h.value;
  return std::nullopt;
}

std::vector<std::string>
sip_message::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& h : headers)
    if (iequals(h.name, name))
      out.push_back(h.value);
  return out;
}

} // namespace sb::sip
