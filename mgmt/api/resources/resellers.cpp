// resellers: the operator's wholesale partners; each has a reseller
// contract and owns its domains, customers and billing profiles.
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

resource_def resellers_resource() {
  resource_def r;
  r.name = "resellers";
  r.item = "reseller";
  r.kind = std::string(kind_resellers);
  r.description = "Resellers, each bound to one reseller contract.";
  r.roles = {admins_only, admins_only, admins_only, admins_only, {}};
  r.fields = {
      fields::integer("contract_id", true, 1), fields::text("name", true, 63),
      fields::choice("status", true, {"active", "locked", "terminated"})};
  r.list = {{"name", "status"}, {"name", "status"}};
  r.owner = [](uint64_t id, const json&) {
    return auth::ownership{id, {}, {}};
  };
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"contracts",
         rest::item_href("contracts", doc.value("contract_id", 0))}};
  };
  r.write = [](write_ctx& c, std::optional<uint64_t> id, const json* old,
               const json& input) -> rest::api_result<uint64_t> {
    if (auto st = refuse_if_terminated(old, "Reseller"); !st)
      return st.err();
    auto contract = referenced(c, kind_contracts, input, "contract_id");
    if (!contract)
      return contract.err();
    if (contract->value("type", "") != "reseller")
      return invalid_field("contract_id", input["contract_id"],
                           "Contract is not a reseller contract");
    auto nid = item_id(c, kind_resellers, id);
    if (!nid)
      return nid;
    auto st = reclaim(c, index_reseller_contract,
                      old ? std::to_string(old->value("contract_id", 0)) : "",
                      std::to_string(input["contract_id"].get<uint64_t>()),
                      *nid, "contract_id", input, "Reseller for this contract");
    if (!st)
      return st.err();
    st = reclaim(c, index_reseller_name,
                 old ? ascii_lower(old->value("name", "")) : "",
                 ascii_lower(input["name"].get<std::string>()), *nid, "name",
                 input, "Reseller name");
    if (!st)
      return st.err();
    c.txn.save(kind_resellers, *nid, input);
    return *nid;
  };
  return r;
}

} // namespace sb::mgmt::api
