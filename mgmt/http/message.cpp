#include "mgmt/http/message.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sb::mgmt::http {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

std::optional<std::string>
find_header(const std::vector<std::pair<std::string, std::string>>& headers,
            std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return std::nullopt;
}

} // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (part.empty())
      continue;
    auto eq = part.find('=');
    auto key = part.substr(0, eq);
    auto value =
        eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    out.emplace(percent_decode(key, true), percent_decode(value, true));
  }
  return out;
}

std::pair<std::string_view, std::string_view>
split_target(std::string_view target) noexcept {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> request::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string> request::query_value(std::string_view key) const {
  auto it = query.find(std::string(key));
  if (it == query.end())
    return std::nullopt;
  return it->second;
}

response& response::set_header(std::string name, std::string value) {
  headers.erase(
      std::remove_if(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); }),
      headers.end());
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::optional<std::string> response::header(std::string_view name) const {
  return find_header(headers, name);
}

response response::json(unsigned status, const nlohmann::json& body) {
  response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  // Messages may echo client input; invalid UTF-8 must not throw here.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

response response::text(unsigned status, std::string body) {
  response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

response response::error(unsigned status, std::string_view message) {
  return json(status, nlohmann::json{{"code", status},
                                     {"message", std::string(message)}});
}

} // namespace sb::mgmt::http
