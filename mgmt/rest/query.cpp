#include "mgmt/rest/query.hpp"

#include "mgmt/http/message.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace sb::mgmt::rest {

namespace {

constexpr const char* paging_message =
    "Query parameters 'page' and 'rows', when specified, must be greater "
    "than 0.";

/// A strictly decimal value >= 1 (no sign, no spaces); nullopt otherwise.
/// Values beyond uint64 saturate: they are still "greater than 0".
std::optional<std::uint64_t> positive(const std::string& s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(),
                                [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range)
    return std::numeric_limits<std::uint64_t>::max();
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0)
    return std::nullopt;
  return v;
}

const std::string* first(const std::multimap<std::string, std::string>& q,
                         const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? nullptr : &it->second;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty())
      out += ", ";
    out += "'" + n + "'";
  }
  return out;
}

} // namespace

std::uint64_t list_query::offset() const noexcept {
  const std::uint64_t p = page == 0 ? 0 : page - 1;
  if (rows != 0 && p > std::numeric_limits<std::uint64_t>::max() / rows)
    return std::numeric_limits<std::uint64_t>::max();
  return p * rows;
}

api_result<list_query>
parse_list_query(const std::multimap<std::string, std::string>& query,
                 const list_spec& spec) {
  list_query out;
  if (const auto* v = first(query, "page")) {
    auto n = positive(*v);
    if (!n)
      return bad_request(paging_message);
    out.page = *n;
  }
  if (const auto* v = first(query, "rows")) {
    auto n = positive(*v);
    if (!n)
      return bad_request(paging_message);
    out.rows = std::min(*n, std::max<std::uint64_t>(spec.max_rows, 1));
  }
  if (const auto* v = first(query, "order_by"); v && !v->empty()) {
    if (std::find(spec.sortable.begin(), spec.sortable.end(), *v) ==
        spec.sortable.end())
      return bad_request("Invalid order_by field '" + *v +
                         "', must be one of " + quoted_list(spec.sortable));
    out.order_by = *v;
  }
  if (const auto* v = first(query, "order_by_direction")) {
    if (http::iequals(*v, "desc"))
      out.direction = sort_direction::desc;
    else if (!http::iequals(*v, "asc"))
      return bad_request("Invalid order_by_direction '" + *v +
                         "', must be 'asc' or 'desc'");
  }
  for (const auto& name : spec.filters) {
    if (const auto* v = first(query, name))
      out.filters.emplace(name, *v);
  }
  return out;
}

api_result<list_query> parse_list_query(const http::request& rq,
                                        const list_spec& spec) {
  return parse_list_query(rq.query, spec);
}

} // namespace sb::mgmt::rest
