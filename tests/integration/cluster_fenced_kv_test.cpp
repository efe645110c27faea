// Entity state in Redis fenced by epoch, against a real redis-server: the
// newer owner's writes stand, a woken old owner's are refused, an erase
// leaves a tombstone that still fences.
#include "cluster/fenced_kv.hpp"

#include "persistence/redis/redis_client.hpp"
#include "tests/support/io_runner.hpp"
#include "tests/support/redis_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>

using namespace std::chrono_literals;

TEST_CASE("fenced kv: an owner of an older epoch cannot overwrite",
          "[cluster][redis]") {
  auto server = sb::test::redis_server::start();
  REQUIRE(server.ok());
  sb::test::io_runner runner;
  sb::persistence::redis_client client{runner.io};
  client.connect("127.0.0.1", (*server)->port());
  REQUIRE(client.wait_connected(5s));

  std::atomic<uint64_t> old_epoch{5}, new_epoch{7};
  sb::cluster::fenced_kv old_owner{client, "t:", 2s,
                                   [&] { return old_epoch.load(); }};
  sb::cluster::fenced_kv new_owner{client, "t:", 2s,
                                   [&] { return new_epoch.load(); }};

  auto keys = [&] {
    std::vector<std::string> out;
    REQUIRE(new_owner.each_key([&](const std::string& k) { out.push_back(k); })
                .ok());
    return out;
  };
  REQUIRE(old_owner.put("subscriber:a", std::string{"v1"}).ok());
  CHECK(keys() == std::vector<std::string>{"subscriber:a"});
  CHECK(new_owner.get("subscriber:a").value() ==
        std::optional<std::string>{"v1"});

  // The key moved (epoch 7); the old owner wakes up still at epoch 5.
  REQUIRE(new_owner.put("subscriber:a", std::string{"v2"}).ok());
  auto refused = old_owner.put("subscriber:a", std::string{"stale"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message.find("epoch 7") != std::string::npos);
  CHECK(old_owner.get("subscriber:a").value() ==
        std::optional<std::string>{"v2"});

  // An erase is a tombstone: gone for readers, still fencing old writers.
  REQUIRE(new_owner.put("subscriber:a", std::nullopt).ok());
  CHECK_FALSE(new_owner.get("subscriber:a").value());
  CHECK(keys().empty()); // a new owner has nothing to take over
  CHECK_FALSE(old_owner.put("subscriber:a", std::string{"stale"}).ok());
  CHECK_FALSE(new_owner.get("subscriber:a").value());
  // The same epoch writes again (the owner re-registers the AoR).
  REQUIRE(new_owner.put("subscriber:a", std::string{"v3"}).ok());
  CHECK(keys() == std::vector<std::string>{"subscriber:a"});
  CHECK(old_owner.get("subscriber:a").value() ==
        std::optional<std::string>{"v3"});
  CHECK_FALSE(old_owner.get("subscriber:never").value());

  // Redis gone: an error, not an answer.
  (*server)->kill();
  CHECK_FALSE(new_owner.get("subscriber:a").ok());
  CHECK_FALSE(new_owner.put("subscriber:a", std::string{"v4"}).ok());
}
