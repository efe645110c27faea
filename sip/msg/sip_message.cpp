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

std::vector<std::string>
sip_message::header_tokens(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& value : headers_named(name)) {
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
        item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
        item.remove_suffix(1);
      if (!item.empty())
        out.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view{}
                                             : rest.substr(comma + 1);
    }
  }
  return out;
}

} // namespace sb::sip

namespace sb::sip {

std::optional<uri_user_host> split_uri(std::string_view uri) {
  std::string_view rest;
  if (uri.size() > 4 && iequals(uri.substr(0, 4), "sip:"))
    rest = uri.substr(4);
  else if (uri.size() > 5 && iequals(uri.substr(0, 5), "sips:"))
    rest = uri.substr(5);
  else
    return std::nullopt;
  uri_user_host out;
  // The host part ends at params or headers; a user may contain ';' only
  // before '@', so find '@' first.
  auto at = rest.find('@');
  if (at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    out.user = std::string(userinfo.substr(0, userinfo.find(':')));
    rest = rest.substr(at + 1);
  }
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    host = rest.substr(0, close + 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":;?>"));
  }
  if (host.empty())
    return std::nullopt;
  out.host = std::string(host);
  return out;
}

} // namespace sb::sip
