#include "actors/subscriber/location_store.hpp"

#include "common/time_text.hpp"
#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "sip/auth/digest.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace sb::actors::subscriber {

using nlohmann::json;
namespace pk = persistence::keys;
using persistence::cf;

namespace {

constexpr std::string_view record_prefix = "a/";

std::string record_key(std::string_view aor) {
  return std::string(record_prefix) + std::string(aor);
}

std::string utc_text(time_point t) {
  return timestamp_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                            t.time_since_epoch())
                            .count());
}

json binding_doc(const location_record& rec, const binding& b) {
  json d;
  d["subscriber_id"] = rec.subscriber_id;
  d["customer_id"] = rec.customer_id;
  d["reseller_id"] = rec.reseller_id;
  d["contact"] = b.uri;
  d["expires"] = is_permanent(b) ? json(nullptr) : json(utc_text(b.expires_at));
  d["q"] = b.q ? json(static_cast<double>(*b.q) / 1000.0) : json(1.0);
  d["path"] = b.path.empty() ? json(nullptr) : json(b.path.front());
  d["nat"] = b.natted;
  d["received"] = b.received ? json(to_string(*b.received)) : json(nullptr);
  d["socket"] = b.local_socket;
  d["user_agent"] = b.user_agent;
  d["call_id"] = b.call_id;
  d["permanent"] = is_permanent(b);
  d["_aor"] = rec.state.aor;
  return d;
}

class local_store final : public location_store {
public:
  explicit local_store(persistence::rocks_store& s)
      : store_(s) {}

  result<std::optional<location_record>> load(const std::string& aor) override {
    auto v = store_.get(cf::registrations, record_key(aor));
    if (!v)
      return v.err();
    if (!*v)
      return std::optional<location_record>{};
    auto rec = decode_record(**v);
    if (!rec)
      return error{"registrations " + aor + ": " + rec.err().message};
    return std::optional<location_record>{std::move(*rec)};
  }

  status save(const location_record& rec, stored_binding_ids& stored) override {
    persistence::write_batch batch;
    auto ids = binding_ids(rec);
    for (size_t i = 0; i < ids.size(); ++i)
      batch.put(cf::registrations,
                persistence::doc_key(pk::kind_registrations, ids[i]),
                binding_doc(rec, rec.state.bindings[i]).dump());
    for (auto old : stored)
      if (std::find(ids.begin(), ids.end(), old) == ids.end())
        batch.del(cf::registrations,
                  persistence::doc_key(pk::kind_registrations, old));
    if (rec.state.bindings.empty())
      batch.del(cf::registrations, record_key(rec.state.aor));
    else
      batch.put(cf::registrations, record_key(rec.state.aor),
                encode_record(rec));
    auto st = store_.commit(batch, false);
    if (st)
      stored = std::move(ids);
    return st;
  }

  status each_aor(const std::function<void(const std::string&)>& fn) override {
    auto end = std::string(record_prefix);
    end.back() = static_cast<char>(end.back() + 1);
    return store_.scan(cf::registrations, record_prefix, end, SIZE_MAX,
                       [&](std::string_view key, std::string_view) {
                         fn(std::string(key.substr(record_prefix.size())));
                         return true;
                       });
  }

private:
  persistence::rocks_store& store_;
};

class shared_store final : public location_store {
public:
  shared_store(std::unique_ptr<location_store> local,
               std::shared_ptr<shared_records> shared)
      : local_(std::move(local))
      , shared_(std::move(shared)) {}

  result<std::optional<location_record>> load(const std::string& aor) override {
    auto text = shared_->get(aor);
    if (!text)
      return text.err();
    if (!*text)
      return std::optional<location_record>{};
    auto rec = decode_record(**text);
    if (!rec)
      return error{aor + ": " + rec.err().message};
    return std::optional<location_record>{std::move(*rec)};
  }
  status save(const location_record& rec, stored_binding_ids& stored) override {
    auto st = shared_->put(
        rec.state.aor, rec.state.bindings.empty()
                           ? std::nullopt
                           : std::optional<std::string>{encode_record(rec)});
    if (!st)
      return st;
    return local_->save(rec, stored);
  }
  status each_aor(const std::function<void(const std::string&)>& fn) override {
    return shared_->each(fn);
  }

private:
  std::unique_ptr<location_store> local_;
  std::shared_ptr<shared_records> shared_;
};

} // namespace

uint64_t binding_id(std::string_view aor, const binding& b) {
  std::string key(aor);
  key += '\n';
  key += b.instance ? *b.instance + "\n" + std::to_string(b.reg_id.value_or(0))
                    : b.uri;
  auto hex = sip::auth::digest_hex(sip::auth::digest_algorithm::sha256, key);
  uint64_t id = 0;
  std::from_chars(hex.data(), hex.data() + 13, id, 16);
  return id == 0 ? 1 : id;
}

stored_binding_ids binding_ids(const location_record& rec) {
  stored_binding_ids ids;
  ids.reserve(rec.state.bindings.size());
  for (const auto& b : rec.state.bindings)
    ids.push_back(binding_id(rec.state.aor, b));
  return ids;
}

std::string encode_record(const location_record& rec) {
  json j;
  j["subscriber_id"] = rec.subscriber_id;
  j["customer_id"] = rec.customer_id;
  j["reseller_id"] = rec.reseller_id;
  j["state"] = to_json(rec.state);
  return j.dump();
}

result<location_record> decode_record(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("state"))
    return error{"corrupt location record"};
  location_record rec;
  for (auto [name, field] : {std::pair{"subscriber_id", &rec.subscriber_id},
                             std::pair{"customer_id", &rec.customer_id},
                             std::pair{"reseller_id", &rec.reseller_id}}) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_unsigned())
      return error{std::string("location record: ") + name +
                   " must be an unsigned integer"};
    *field = it->get<uint64_t>();
  }
  auto st = registrar_state_from_json(j["state"]);
  if (!st)
    return st.err();
  rec.state = std::move(*st);
  return rec;
}

status each_shared_binding_doc(
    shared_records& shared,
    const std::function<bool(uint64_t id, const json& doc)>& visit) {
  std::vector<std::string> aors;
  auto st = shared.each([&](const std::string& aor) { aors.push_back(aor); });
  if (!st)
    return st;
  for (const auto& aor : aors) {
    auto text = shared.get(aor);
    if (!text)
      return text.err();
    if (!*text) // erased since the listing
      continue;
    auto rec = decode_record(**text);
    if (!rec) {
      spdlog::warn("registrations: shared record of {} skipped: {}", aor,
                   rec.err().message);
      continue;
    }
    for (const auto& b : rec->state.bindings)
      if (!visit(binding_id(aor, b), binding_doc(*rec, b)))
        return {};
  }
  return {};
}

std::unique_ptr<location_store>
make_local_location_store(persistence::rocks_store& store) {
  return std::make_unique<local_store>(store);
}

std::unique_ptr<location_store>
make_shared_location_store(std::unique_ptr<location_store> local,
                           std::shared_ptr<shared_records> shared) {
  return std::make_unique<shared_store>(std::move(local), std::move(shared));
}

} // namespace sb::actors::subscriber
