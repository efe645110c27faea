// sb_store_writer: the child of tests/integration/store_crash_test.cpp.
//
// Appends changes through the local provisioning log and applies them with
// the applier, both with synced writes, and prints "ack <position>" on
// stdout once a change is durable and applied. The parent SIGKILLs it at a
// random point and checks that the store kept every acknowledged change and
// nothing half-written. Bounded by --max changes and --seconds.
//
// usage: sb_store_writer --dir DIR [--run NAME] [--max N] [--seconds S]

#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace sb::persistence;

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "sb_store_writer: %s\n", what.c_str());
  return 2;
}

// write(2) straight to fd 1: no stdio buffer can hold back an ack.
bool say(const std::string& line) {
  std::string_view rest = line;
  while (!rest.empty()) {
    auto n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n <= 0)
      return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  std::string dir, run = "r";
  long max = 100000, seconds = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--run")
      run = argv[i + 1];
    else if (flag == "--max")
      max = std::atol(argv[i + 1]);
    else if (flag == "--seconds")
      seconds = std::atol(argv[i + 1]);
    else
      return fail("unknown flag " + std::string(flag));
  }
  if (dir.empty())
    return fail("--dir is required");

  auto store = rocks_store::open(dir);
  if (!store)
    return fail(store.err().message);
  auto log = local_provisioning_log::open(**store);
  if (!log)
    return fail(log.err().message);

  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (long i = 0; i < max && std::chrono::steady_clock::now() < deadline;
       ++i) {
    // Two families per change, so a torn write would show.
    auto id = run + ":" + std::to_string(i);
    change c;
    c.time_ms = i;
    c.origin = "writer-" + run;
    c.mutations.push_back({"provisioning", "sub:" + id, "value-" + id});
    c.mutations.push_back({"registrations", "reg:" + id, "contact-" + id});
    auto position = (*log)->append(std::move(c));
    if (!position)
      return fail(position.err().message);
    auto applied = apply_pending(**log, **store, 16);
    if (!applied)
      return fail(applied.err().message);
    if (!say("ack " + std::to_string(*position) + "\n"))
      return fail("cannot write to stdout");
  }
  return 0;
}
