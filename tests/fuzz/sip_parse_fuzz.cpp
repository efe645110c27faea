// libFuzzer target for sb::sip::parse_message (sofia's parser + our checks).
// Built only by tests/fuzz/CMakeLists.txt with clang-14, never by the main
// GCC build; tests/fuzz/run_fuzz.sh builds and runs it (ctest fuzz_sip_parse).
//
// For any bytes it checks the contract in sip/msg/parse.hpp:
//  - no exception escapes ("Never throws; safe on arbitrary bytes");
//  - a parse_error has a reason and a status of 0, 400 or 505;
//  - a parsed request has a method, a Request-URI that is a URI, a Call-ID,
//    at least one Via and a CSeq method equal to the request method;
//  - a parsed response has at least one Via;
//  - a Content-Length never exceeds the copied body;
//  - parsing the same bytes twice gives equal results.
//
// A finding already reported and not yet fixed in sip/msg can be waived by
// name in the environment variable SB_FUZZ_KNOWN (comma-separated; run_fuzz.sh
// sets it from tests/fuzz/known_findings) so the fuzzer goes on looking for
// others. Its reproducer is kept in tests/fuzz/crashes/.
#include "sip/msg/parse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace {

using sb::sip::parse_error;
using sb::sip::parse_result;
using sb::sip::sip_message;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "sip_parse_fuzz: invariant violated: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond))                                                               \
      fail(#cond __VA_OPT__(, ) __VA_ARGS__);                                  \
  } while (0)

// Whether finding `name` is waived in SB_FUZZ_KNOWN.
bool waived(std::string_view name) {
  static const std::string known = [] {
    const char* v = std::getenv("SB_FUZZ_KNOWN");
    return "," + std::string(v ? v : "") + ",";
  }();
  return known.find("," + std::string(name) + ",") != std::string::npos;
}

// sip_message has no operator==; its members do.
auto members(const sip_message& m) {
  return std::tie(m.is_request, m.method, m.request_uri, m.status, m.reason,
                  m.via, m.from, m.to, m.call_id, m.cseq, m.cseq_method,
                  m.max_forwards, m.expires, m.contact_star, m.contacts,
                  m.route, m.record_route, m.path, m.user_agent, m.content_type,
                  m.body, m.headers);
}

bool same(const parse_result& a, const parse_result& b) {
  if (a.index() != b.index())
    return false;
  if (const auto* ea = std::get_if<parse_error>(&a)) {
    const auto& eb = std::get<parse_error>(b);
    return ea->reason == eb.reason && ea->status == eb.status;
  }
  return members(std::get<sip_message>(a)) == members(std::get<sip_message>(b));
}

parse_result parse(std::string_view bytes) {
  try {
    return sb::sip::parse_message(bytes);
  } catch (const std::exception& e) {
    fail("parse_message threw", e.what());
  } catch (...) {
    fail("parse_message threw a non-std exception");
  }
}

void check_error(const parse_error& e) {
  FUZZ_CHECK(!e.reason.empty());
  FUZZ_CHECK(e.status == 0 || e.status == 400 || e.status == 505,
             std::to_string(e.status) + " " + e.reason);
}

void check_message(const sip_message& m) {
  FUZZ_CHECK(!m.via.empty());
  if (m.is_request) {
    FUZZ_CHECK(!m.method.empty());
    // Known finding "empty-call-id": "Call-ID:" with no value is accepted
    // (tests/fuzz/crashes/empty-call-id*).
    FUZZ_CHECK(!m.call_id.empty() || waived("empty-call-id"));
    FUZZ_CHECK(!m.request_uri.empty());
    FUZZ_CHECK(m.request_uri.front() != '<', m.request_uri);
    FUZZ_CHECK(m.cseq_method == m.method, m.cseq_method + " vs " + m.method);
  }
  // "a Content-Length that does not exceed the body"
  if (auto cl = m.header("Content-Length")) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(cl->c_str(), &end, 10);
    if (end != cl->c_str())
      FUZZ_CHECK(n <= m.body.size(),
                 *cl + " > " + std::to_string(m.body.size()));
  }
  // The accessors must agree with the header list.
  for (const auto& h : m.headers)
    FUZZ_CHECK(m.header(h.name).has_value(), h.name);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto first = parse(bytes);
  if (const auto* e = std::get_if<parse_error>(&first))
    check_error(*e);
  else
    check_message(std::get<sip_message>(first));

  // Determinism: the same bytes, from a separate buffer, parse the same way.
  std::vector<char> copy(bytes.begin(), bytes.end());
  auto second = parse(std::string_view{copy.data(), copy.size()});
  FUZZ_CHECK(same(first, second));
  return 0;
}
