#include "mgmt/http/router.hpp"

#include <algorithm>
#include <set>

namespace sb::mgmt::http {

namespace {

struct segment {
  std::string text; ///< literal text, or the parameter name
  bool is_param = false;
};

struct route {
  std::string method;
  std::string pattern;
  std::vector<segment> segments;
  handler h;
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  // Callers guarantee a leading '/'; "/" itself is one empty segment.
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      return out;
    path.remove_prefix(slash + 1);
  }
}

bool valid_param_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
  });
}

// Which segments matched literally; a larger vector is more specific.
using specificity = std::vector<bool>;

bool match_route(const route& r, const std::vector<std::string>& decoded,
                 std::map<std::string, std::string>* params,
                 specificity* spec) {
  if (r.segments.size() != decoded.size())
    return false;
  for (size_t i = 0; i < decoded.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.is_param ? decoded[i].empty() : decoded[i] != seg.text)
      return false;
  }
  if (params)
    for (size_t i = 0; i < decoded.size(); ++i)
      if (r.segments[i].is_param)
        (*params)[r.segments[i].text] = decoded[i];
  if (spec) {
    spec->clear();
    for (const auto& seg : r.segments)
      spec->push_back(!seg.is_param);
  }
  return true;
}

} // namespace

struct router::table {
  std::vector<route> routes;
};

router::router()
    : table_(std::make_shared<table>()) {}

std::vector<std::pair<std::string, std::string>> router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : table_->routes)
    out.emplace_back(r.method, r.pattern);
  return out;
}

status router::add(std::string method, std::string_view pattern, handler h) {
  if (pattern.empty() || pattern.front() != '/')
    return error{"route pattern '" + std::string(pattern) +
                 "' must start with '/'"};
  if (method.empty())
    return error{"route " + std::string(pattern) + ": empty method"};
  if (!h)
    return error{"route " + std::string(pattern) + ": empty handler"};
  route r{std::move(method), std::string(pattern), {}, std::move(h)};
  std::set<std::string> names;
  for (auto raw : split_path(pattern)) {
    if (raw.size() >= 2 && raw.front() == '{' && raw.back() == '}') {
      auto name = std::string(raw.substr(1, raw.size() - 2));
      if (!valid_param_name(name) || !names.insert(name).second)
        return error{"route " + r.pattern + ": bad or repeated parameter '" +
                     name + "'"};
      r.segments.push_back({std::move(name), true});
    } else {
      r.segments.push_back({std::string(raw), false});
    }
  }
  for (const auto& other : table_->routes)
    if (other.method == r.method &&
        other.segments.size() == r.segments.size() &&
        std::equal(other.segments.begin(), other.segments.end(),
                   r.segments.begin(), [](const segment& a, const segment& b) {
                     return a.is_param == b.is_param &&
                            (a.is_param || a.text == b.text);
                   }))
      return error{"route " + r.method + " " + r.pattern + " duplicates " +
                   other.pattern};
  table_->routes.push_back(std::move(r));
  return {};
}

namespace {

// The route serving `method` on `raw_path`, if any, and the match details.
const route* find_route(const std::vector<route>& routes,
                        std::string_view method, std::string_view raw_path,
                        route_match& out) {
  if (raw_path.empty() || raw_path.front() != '/')
    return nullptr;
  std::vector<std::string> decoded;
  for (auto seg : split_path(raw_path))
    decoded.push_back(percent_decode(seg));

  std::set<std::string> allowed;
  const route* best = nullptr;
  const route* best_get = nullptr;
  specificity best_spec, best_get_spec, spec;
  for (const auto& r : routes) {
    if (!match_route(r, decoded, nullptr, &spec))
      continue;
    allowed.insert(r.method);
    if (r.method == method && (!best || best_spec < spec)) {
      best = &r;
      best_spec = spec;
    }
    if (r.method == "GET" && (!best_get || best_get_spec < spec)) {
      best_get = &r;
      best_get_spec = spec;
    }
  }
  if (allowed.empty())
    return nullptr;
  if (allowed.count("GET"))
    allowed.insert("HEAD");
  allowed.insert("OPTIONS");
  out.allowed.assign(allowed.begin(), allowed.end());
  if (!best && method == "HEAD")
    best = best_get;
  if (!best) {
    out.result = route_match::kind::method_not_allowed;
    return nullptr;
  }
  out.result = route_match::kind::found;
  out.pattern = best->pattern;
  match_route(*best, decoded, &out.params, nullptr);
  return best;
}

} // namespace

route_match router::match(std::string_view method,
                          std::string_view raw_path) const {
  route_match out;
  find_route(table_->routes, method, raw_path, out);
  return out;
}

void router::operator()(request rq, respond_fn respond) const {
  route_match m;
  const auto* target =
      find_route(table_->routes, rq.method, split_target(rq.target).first, m);
  if (m.result == route_match::kind::not_found) {
    respond(response::error(404, "no such resource: " + rq.path));
    return;
  }
  if (m.result == route_match::kind::method_not_allowed) {
    auto allow = join_allow(m.allowed);
    response r =
        rq.method == "OPTIONS"
            ? response{204, {}, {}}
            : response::error(405, "method " + rq.method +
                                       " not allowed; allowed: " + allow);
    r.set_header("Allow", allow);
    respond(std::move(r));
    return;
  }
  rq.params = std::move(m.params);
  target->h(std::move(rq), std::move(respond));
}

handler router::to_handler() const {
  return [r = *this](request rq, respond_fn respond) {
    r(std::move(rq), std::move(respond));
  };
}

std::string join_allow(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty())
      out += ", ";
    out += m;
  }
  return out;
}

} // namespace sb::mgmt::http
