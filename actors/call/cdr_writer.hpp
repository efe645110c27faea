// Writes the CDRs of this node's calls into the `cdrs` family: on a single
// node straight where /api/cdrs and /api/calllists read them, in a cluster
// into the outbox that ships them to the db nodes (persistence/cdrlog).
// Each goes under the next id of its kind's sequence, document and sequence
// in one batch, through the WAL before the call actor goes away (a killed
// process loses no CDR).
#pragma once

#include "billing/cdr/cdr_record.hpp"
#include "common/result.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace sb::persistence {
class rocks_store;
}

namespace sb::actors::call {

class cdr_writer {
public:
  /// `kind`: `keys::kind_cdrs` or, in a cluster, `keys::kind_cdr_outbox`.
  cdr_writer(persistence::rocks_store& store, std::string_view kind);

  /// Stores `r`; returns its id.
  result<uint64_t> write(const billing::cdr_record& r);

private:
  persistence::rocks_store& store_;
  std::string kind_;
  std::mutex mu_; // ids in commit order, so the sequence never goes back
  bool loaded_ = false;
  uint64_t last_id_ = 0;
};

} // namespace sb::actors::call
