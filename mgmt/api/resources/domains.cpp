// domains: the SIP domains (realms) subscribers live in, owned by a
// reseller. A domain with subscribers cannot be deleted.
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

#include <arpa/inet.h>

namespace sb::mgmt::api {

namespace {

// A DNS name (RFC 1123 labels) or an IPv4/IPv6 literal.
std::optional<std::string> check_domain(const json& v) {
  const auto& s = v.get_ref<const std::string&>();
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1 ||
      inet_pton(AF_INET6, s.c_str(), buf) == 1)
    return std::nullopt;
  std::string_view rest{s};
  if (rest.empty() || rest.size() > 253)
    return "Not a valid domain name";
  while (!rest.empty()) {
    auto dot = rest.find('.');
    auto label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
        }))
      return "Not a valid domain name";
    rest = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
    if (dot != std::string_view::npos && rest.empty())
      return "Not a valid domain name";
  }
  return std::nullopt;
}

} // namespace

resource_def domains_resource() {
  resource_def r;
  r.name = "domains";
  r.item = "domain";
  r.kind = std::string(kind_domains);
  r.description = "SIP domains; every subscriber belongs to one.";
  r.roles = {admins_resellers, admins_resellers, {}, {}, admins_resellers};
  auto domain = fields::text("domain", true, 127);
  domain.check = check_domain;
  r.fields = {std::move(domain), fields::integer("reseller_id", false, 1)};
  r.list = {{"domain"}, {"domain", "reseller_id"}};
  r.links = [](uint64_t id, const json& doc) {
    return std::vector<rest::hal_link>{
        {"resellers",
         rest::item_href("resellers", doc.value("reseller_id", 0))},
        {"domainpreferences", rest::item_href("domainpreferences", id)}};
  };
  r.write = [](write_ctx& c, std::optional<uint64_t> id, const json*,
               const json& input) -> rest::api_result<uint64_t> {
    auto reseller = resolve_reseller(c, input, std::nullopt);
    if (!reseller)
      return reseller.err();
    auto nid = item_id(c, kind_domains, id);
    if (!nid)
      return nid;
    json doc{{"domain", ascii_lower(input["domain"].get<std::string>())},
             {"reseller_id", *reseller}};
    auto st =
        claim(c, index_domain, doc["domain"], *nid, "domain", input, "Domain");
    if (!st)
      return st.err();
    c.txn.save(kind_domains, *nid, doc);
    return *nid;
  };
  r.erase = [](write_ctx& c, uint64_t id, const json& old) -> rest::api_status {
    auto subs = c.txn.referrers(kind_subscribers, "domain_id", id, 1);
    if (!subs)
      return storage_failure(subs.err());
    if (!subs->empty())
      return rest::unprocessable("Domain '" + old.value("domain", "") +
                                 "' still has subscribers");
    c.txn.release_unique(index_domain, old.value("domain", ""));
    c.txn.erase(kind_domain_prefs, id);
    c.txn.erase(kind_domains, id);
    return rest::api_ok();
  };
  return r;
}

} // namespace sb::mgmt::api
