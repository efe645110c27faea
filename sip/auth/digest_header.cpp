// Parsing of Digest credentials (Authorization / Proxy-Authorization). The
// grammar is RFC 3261 section 25.1 (LWS, token, quoted-string) with the
// parameters of RFC 7616 section 3.4. Errors never echo the input: they
// become SIP reason phrases.
#include "sip/auth/digest.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace sb::sip::auth {

namespace {

// Far more than any real client sends; bounds the duplicate check.
constexpr std::size_t max_params = 32;

error malformed(std::string_view why) {
  return error{std::string("Malformed Authorization header: ").append(why)};
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool token_char(char c) {
  static constexpr std::string_view extra = "-.!%*_+`'~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
}

bool control_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

// A read position in the header value. Folded lines (CRLF + SP/HTAB) count
// as whitespace; a bare CR or LF is left for the caller to refuse.
struct cursor {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return s[i]; }

  bool fold_at(std::size_t at) const {
    return at + 2 < s.size() && s[at] == '\r' && s[at + 1] == '\n' &&
           (s[at + 2] == ' ' || s[at + 2] == '\t');
  }

  // Skips LWS; whether anything was skipped.
  bool skip_lws() {
    const std::size_t start = i;
    while (!done()) {
      if (peek() == ' ' || peek() == '\t')
        ++i;
      else if (fold_at(i))
        i += 3;
      else
        break;
    }
    return i != start;
  }

  std::string_view token() {
    const std::size_t start = i;
    while (!done() && token_char(peek()))
      ++i;
    return s.substr(start, i - start);
  }

  // After the opening quote: the unescaped content up to the closing one.
  result<std::string> quoted() {
    std::string out;
    while (!done()) {
      const char c = s[i];
      if (c == '"') {
        ++i;
        return out;
      }
      if (fold_at(i)) {
        out += ' ';
        i += 3;
        continue;
      }
      if (c == '\\') {
        if (++i >= s.size())
          break;
      }
      if (control_char(s[i]))
        return malformed("control character in a quoted string");
      out += s[i++];
    }
    return malformed("unterminated quoted string");
  }
};

// Exactly 8 hex digits (RFC 7616 section 3.4: nc = 8LHEX), at least 1.
std::optional<uint32_t> parse_nc(std::string_view nc) {
  if (nc.size() != 8)
    return std::nullopt;
  uint32_t v = 0;
  for (char c : nc) {
    const int d = hex_value(c);
    if (d < 0)
      return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v == 0 ? std::nullopt : std::optional<uint32_t>(v);
}

// Stores one parameter; unknown names are ignored (RFC 7616 auth-param).
status assign(digest_credentials& c, std::string_view key, std::string value,
              std::array<bool, 5>& required) {
  static constexpr std::array<std::string_view, 5> required_names = {
      "username", "realm", "nonce", "uri", "response"};
  std::string* const required_fields[] = {&c.username, &c.realm, &c.nonce,
                                          &c.uri, &c.response};
  for (std::size_t k = 0; k < required_names.size(); ++k)
    if (key == required_names[k]) {
      *required_fields[k] = std::move(value);
      required[k] = true;
      return {};
    }
  if (key == "algorithm") {
    auto a = parse_digest_algorithm(value);
    if (!a)
      return malformed(a.err().message);
    c.algorithm = *a;
  } else if (key == "cnonce") {
    c.cnonce = std::move(value);
  } else if (key == "opaque") {
    c.opaque = std::move(value);
  } else if (key == "qop") {
    if (value.empty())
      return malformed("empty qop");
    c.qop = std::move(value);
  } else if (key == "nc") {
    auto v = parse_nc(value);
    if (!v)
      return malformed("nc must be 8 hex digits, from 00000001");
    c.nc = std::move(value);
    c.nc_value = *v;
  } else if (key == "userhash") {
    if (iequals(value, "true"))
      return malformed("userhash is not supported");
    if (!iequals(value, "false"))
      return malformed("userhash must be true or false");
  }
  return {};
}

// The cross-field rules, once every parameter is known.
status check(digest_credentials& c, const std::array<bool, 5>& required) {
  static constexpr std::array<std::string_view, 5> missing = {
      "missing username", "missing realm", "missing nonce", "missing uri",
      "missing response"};
  for (std::size_t k = 0; k < required.size(); ++k)
    if (!required[k])
      return malformed(missing[k]);
  if (c.username.empty() || c.nonce.empty() || c.uri.empty())
    return malformed("empty username, nonce or uri");
  if (c.response.size() != hex_length(c.algorithm) ||
      !std::all_of(c.response.begin(), c.response.end(),
                   [](char ch) { return hex_value(ch) >= 0; }))
    return malformed("response is not a digest of the algorithm");
  c.response = ascii_lower(c.response);
  if (!c.qop.empty() && (c.nc.empty() || c.cnonce.empty()))
    return malformed("qop needs nc and cnonce");
  if (c.qop.empty() && (!c.nc.empty() || !c.cnonce.empty()))
    return malformed("nc and cnonce need qop");
  return {};
}

} // namespace

result<digest_algorithm> parse_digest_algorithm(std::string_view name) {
  if (iequals(name, "MD5"))
    return digest_algorithm::md5;
  if (iequals(name, "SHA-256"))
    return digest_algorithm::sha256;
  if (iends_with(name, "-sess"))
    return error{"-sess digest algorithms are not supported"};
  return error{"unsupported digest algorithm"};
}

result<digest_credentials> parse_credentials(std::string_view value) {
  cursor in{value};
  in.skip_lws();
  auto scheme = in.token();
  if (scheme.empty())
    return malformed("no scheme");
  if (!iequals(scheme, "Digest"))
    return malformed("scheme is not Digest");
  if (!in.skip_lws() && !in.done())
    return malformed("syntax error after the scheme");

  digest_credentials c;
  std::array<bool, 5> required{};
  std::vector<std::string> seen;
  while (true) {
    in.skip_lws();
    if (in.done())
      break;
    if (in.peek() == ',') {
      ++in.i; // an empty list element (RFC 7230 section 7)
      continue;
    }
    std::string key(in.token());
    if (key.empty())
      return malformed("syntax error");
    key = ascii_lower(key);
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return malformed("duplicate parameter");
    if (seen.size() == max_params)
      return malformed("too many parameters");
    seen.push_back(key);
    in.skip_lws();
    if (in.done() || in.peek() != '=')
      return malformed("parameter without a value");
    ++in.i;
    in.skip_lws();
    std::string v;
    if (!in.done() && in.peek() == '"') {
      ++in.i;
      auto q = in.quoted();
      if (!q)
        return q.err();
      v = std::move(*q);
    } else {
      v = std::string(in.token());
      if (v.empty())
        return malformed("parameter without a value");
    }
    if (auto st = assign(c, key, std::move(v), required); !st)
      return st.err();
    in.skip_lws();
    if (!in.done() && in.peek() != ',')
      return malformed("syntax error");
  }
  if (auto st = check(c, required); !st)
    return st.err();
  return c;
}

} // namespace sb::sip::auth
