#pragma once

// Where the bindings of an address of record live between activations of
// its subscriber actor and across restarts. The local store keeps, in the
// `registrations` column family,
//   a/<aor>                  the record: ids + registrar state (JSON)
//   d/registrations/<id>     one document per binding, in the shape the
//                            API's /api/subscriberregistrations shows
//                            (mgmt/api/resources/records.cpp)
// written in one batch per change (WAL, no fsync: a binding is soft state
// the UA refreshes; a SIGKILL keeps it, a power loss may lose the last
// refresh). In cluster mode the shared store (Redis) holds the truth, so
// another node can take the AoR over when its owner dies.
#include "actors/subscriber/registrar_state.hpp"
#include "actors/support/shared_records.hpp"
#include "common/result.hpp"

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sb::persistence {
class rocks_store;
}

namespace sb::actors::subscriber {

struct location_record {
  uint64_t subscriber_id = 0;
  uint64_t customer_id = 0;
  uint64_t reseller_id = 0;
  registrar_state state; ///< state.aor names the record
};

/// The API id of a binding: stable for the same AoR and contact (53 bits,
/// exact in JSON numbers).
uint64_t binding_id(std::string_view aor, const binding& b);

/// The ids of the binding documents stored for one AoR. Its owner (the
/// subscriber actor) keeps them between saves, so a save knows which
/// documents to delete without reading the old record back.
using stored_binding_ids = std::vector<uint64_t>;

/// The ids of `rec`'s bindings, as stored by a save of `rec`.
stored_binding_ids binding_ids(const location_record& rec);

class location_store {
public:
  virtual ~location_store() = default;
  virtual result<std::optional<location_record>>
  load(const std::string& aor) = 0;
  /// Replaces the record of `rec.state.aor`; a record without bindings is
  /// erased. `stored` names the documents stored before (deleted when their
  /// binding is gone); on success it becomes `binding_ids(rec)`.
  virtual status save(const location_record& rec,
                      stored_binding_ids& stored) = 0;
  /// Every stored record's AoR, for re-activation after a restart.
  virtual status
  each_aor(const std::function<void(const std::string&)>& fn) = 0;
};

/// The node-local store (RocksDB).
std::unique_ptr<location_store>
make_local_location_store(persistence::rocks_store& store);

/// The cluster's copy of the records (Redis in cluster mode): one JSON
/// text per AoR.
using actors::shared_records;

/// Cluster mode: `shared` is the truth and `local` a node-local copy (the
/// API's binding documents). A load reads the shared record (another node
/// may have written it last); a save replicates to the shared store first
/// and fails, with nothing written locally, if that fails: a REGISTER is
/// acknowledged only once its binding survives this node. `each_aor` lists
/// the shared records (a new owner adopts what it took over).
std::unique_ptr<location_store>
make_shared_location_store(std::unique_ptr<location_store> local,
                           std::shared_ptr<shared_records> shared);

/// Cluster mode: the API documents (as in `d/registrations/<id>`) of every
/// binding in the shared store, whichever node wrote it; records that do
/// not decode are skipped with a warning. `visit` returns false to stop.
status each_shared_binding_doc(
    shared_records& shared,
    const std::function<bool(uint64_t id, const nlohmann::json& doc)>& visit);

/// The record as JSON text, as stored and shared.
std::string encode_record(const location_record& rec);
result<location_record> decode_record(std::string_view text);

} // namespace sb::actors::subscriber
