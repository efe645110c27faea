// Provisioning write path on one node: durable appends to the local log
// (one fsync each, as a REST write waits for) and applying them to the
// store. These bound the API's creates/s before any HTTP or JSON work.
//
//   bench/provlog_bench [DIR] [COUNT]

#include "persistence/entities/entity_txn.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace sb::persistence;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::filesystem::path dir =
      argc > 1 ? argv[1]
               : std::filesystem::temp_directory_path() / "sb-provlog-bench";
  size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000;
  std::filesystem::remove_all(dir);
  auto store = rocks_store::open(dir);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.err().message.c_str());
    return 1;
  }
  auto log = local_provisioning_log::open(**store);
  if (!log) {
    std::fprintf(stderr, "%s\n", log.err().message.c_str());
    return 1;
  }

  // A subscriber-sized change: the document, a unique index, a reference.
  auto t0 = clock_type::now();
  for (size_t i = 1; i <= count; ++i) {
    entity_txn txn(**store);
    nlohmann::json doc{{"username", "user" + std::to_string(i)},
                       {"domain_id", 1},
                       {"customer_id", 1},
                       {"password", "x" + std::to_string(i)},
                       {"status", "active"}};
    txn.save("subscribers", i, doc);
    (void)txn.claim_unique("subscriber", "1/user" + std::to_string(i), i);
    txn.add_ref("subscribers", "domain_id", 1, i);
    if (!(*log)->append(txn.to_change(0, "bench"))) {
      std::fprintf(stderr, "append failed\n");
      return 1;
    }
  }
  auto t1 = clock_type::now();
  size_t applied = 0;
  while (true) {
    auto n = apply_pending(**log, **store, 256);
    if (!n || *n == 0)
      break;
    applied += *n;
  }
  auto t2 = clock_type::now();
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf("provlog appends (fsync each): %zu in %.3f s = %.0f/s\n", count,
              secs(t1 - t0), count / secs(t1 - t0));
  std::printf(
      "provlog apply (synced batch per change): %zu in %.3f s = %.0f/s\n",
      applied, secs(t2 - t1), applied / secs(t2 - t1));
  std::filesystem::remove_all(dir);
  return 0;
}
