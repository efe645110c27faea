// Writes the CDRs of this node's calls into the `cdrs` family, where
// /api/cdrs and /api/calllists read them: each under the next id of the
// kind's sequence, document and sequence in one batch, through the WAL
// before the call actor goes away (a killed process loses no CDR).
#pragma once

#include "billing/cdr/cdr_record.hpp"
#include "common/result.hpp"

#include <cstdint>
#include <mutex>

namespace sb::persistence {
class rocks_store;
}

namespace sb::actors::call {

class cdr_writer {
public:
  explicit cdr_writer(persistence::rocks_store& store);

  /// Stores `r`; returns its id.
  result<uint64_t> write(const billing::cdr_record& r);

private:
  persistence::rocks_store& store_;
  std::mutex mu_; // ids in commit order, so the sequence never goes back
  bool loaded_ = false;
  uint64_t last_id_ = 0;
};

} // namespace sb::actors::call
