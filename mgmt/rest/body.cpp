#include "mgmt/rest/body.hpp"

#include "common/text.hpp"
#include "mgmt/http/message.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace sb::mgmt::rest {

namespace {

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && ws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && ws(s.back()))
    s.remove_suffix(1);
  return s;
}

/// Nesting depth of arrays/objects, ignoring brackets inside strings. Runs
/// on unvalidated text: a syntax error is left to the parser.
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t max = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max = std::max(max, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max;
}

/// nlohmann's what() minus its "[json.exception.x.nnn] " prefix.
std::string parser_detail(const char* what) {
  std::string_view s(what);
  if (!s.empty() && s.front() == '[') {
    if (auto pos = s.find("] "); pos != std::string_view::npos)
      s.remove_prefix(pos + 2);
  }
  return std::string(s);
}

} // namespace

std::string media_type_of(std::string_view content_type) {
  return ascii_lower(trim(content_type.substr(0, content_type.find(';'))));
}

api_status forbid_link_header(const http::request& rq) {
  if (rq.header("Link"))
    return bad_request("The request must not contain 'Link' headers. Instead "
                       "assert relationships in the entity body.");
  return api_ok();
}

api_status require_media_type(const http::request& rq,
                              std::string_view accepted) {
  const auto ct = rq.header("Content-Type");
  if (ct && media_type_of(*ct) == ascii_lower(accepted))
    return api_ok();
  return unsupported_media_type(ct ? std::string_view(*ct) : "", accepted);
}

api_result<nlohmann::json> parse_json(std::string_view text,
                                      std::string_view media_type) {
  if (nesting_depth(text) > max_json_depth)
    return malformed_entity(media_type, "Nesting deeper than " +
                                            std::to_string(max_json_depth) +
                                            " levels.");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return malformed_entity(media_type, parser_detail(e.what()));
  }
}

api_result<nlohmann::json> read_body(const http::request& rq) {
  const bool patch = http::iequals(rq.method, "PATCH");
  if (!patch && !http::iequals(rq.method, "POST") &&
      !http::iequals(rq.method, "PUT"))
    return bad_request("Unsupported method '" + rq.method +
                       "' for a request body.");
  const auto media = patch ? json_patch_media_type : json_media_type;
  if (auto st = forbid_link_header(rq); !st)
    return st.err();
  if (auto st = require_media_type(rq, media); !st)
    return st.err();
  if (rq.body.empty())
    return missing_body();
  auto parsed = parse_json(rq.body, media);
  if (!parsed)
    return parsed;
  if (patch && !parsed->is_array())
    return bad_request("Body for PATCH must be an array.");
  if (!patch && !parsed->is_object())
    return bad_request("Body for " + rq.method + " must be an object.");
  return parsed;
}

prefer_return parse_prefer(const http::request& rq) {
  const auto header = rq.header("Prefer");
  if (!header)
    return prefer_return::minimal;
  std::vector<std::string> values;
  std::string_view rest = *header;
  // Preferences are comma-separated; each is `name[=value] *( ";" param )`.
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto pref = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(comma + 1);
    pref = trim(pref.substr(0, pref.find(';')));
    const auto eq = pref.find('=');
    if (eq == std::string_view::npos ||
        ascii_lower(trim(pref.substr(0, eq))) != "return")
      continue;
    auto value = trim(pref.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    values.push_back(ascii_lower(value));
  }
  if (values.size() == 1 && values.front() == "representation")
    return prefer_return::representation;
  return prefer_return::minimal;
}

std::string_view preference_applied(prefer_return p) noexcept {
  return p == prefer_return::representation ? "return=representation"
                                            : "return=minimal";
}

} // namespace sb::mgmt::rest
