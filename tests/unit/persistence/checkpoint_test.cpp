#include "persistence/provlog/checkpoint.hpp"

#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/log_retention.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace sb::persistence;
using sb::test::temp_dir;

namespace {

std::unique_ptr<rocks_store> open_store(const std::filesystem::path& dir) {
  auto s = rocks_store::open(dir);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::map<std::string, std::string> provisioning_of(rocks_store& s) {
  std::map<std::string, std::string> out;
  REQUIRE(s.scan(cf::provisioning, {}, {}, 1000,
                 [&](std::string_view k, std::string_view v) {
                   out.emplace(k, v);
                   return true;
                 })
              .ok());
  return out;
}

void write(rocks_store& s, std::map<std::string, std::string> entries,
           uint64_t position) {
  write_batch b;
  for (const auto& [k, v] : entries)
    b.put(cf::provisioning, k, v);
  b.put(cf::meta, applied_position_key, std::to_string(position));
  REQUIRE(s.commit(b, true).ok());
}

} // namespace

TEST_CASE("persistence: a checkpoint carries the provisioning data and its "
          "position to another store",
          "[persistence][checkpoint]") {
  temp_dir a_dir("sb-ckpt-a"), b_dir("sb-ckpt-b");
  auto a = open_store(a_dir.path());
  auto b = open_store(b_dir.path());
  // Values with the separators of the format in them, and an empty one.
  std::map<std::string, std::string> data{
      {"sub:1", "{\"u\":\"alice\"}"},
      {"sub:2", std::string("bin\n 7 9\n\0x", 10)},
      {"sub:3", ""},
      {std::string("k\0ey", 4), "end\n"}};
  write(*a, data, 42);
  REQUIRE(a->put(cf::registrations, "r", "not provisioning", true).ok());
  // What b had before is replaced, not merged.
  write(*b, {{"sub:1", "old"}, {"stale", "gone"}}, 7);

  auto blob = encode_checkpoint(*a);
  REQUIRE(blob.ok());
  CHECK(checkpoint_position(*blob).value() == 42);
  auto loaded = load_checkpoint(*b, *blob);
  REQUIRE(loaded.ok());
  CHECK(*loaded == 42);
  CHECK(provisioning_of(*b) == data);
  CHECK(applied_position(*b).value() == 42);
  CHECK_FALSE(b->get(cf::registrations, "r").value().has_value());
}

TEST_CASE("persistence: a damaged checkpoint changes nothing",
          "[persistence][checkpoint]") {
  temp_dir a_dir("sb-ckpt-a"), b_dir("sb-ckpt-b");
  auto a = open_store(a_dir.path());
  auto b = open_store(b_dir.path());
  write(*a, {{"sub:1", "one"}, {"sub:2", "two"}}, 9);
  write(*b, {{"mine", "kept"}}, 3);
  auto blob = encode_checkpoint(*a).value();

  for (const std::string& bad :
       {blob.substr(0, blob.size() - 1), blob.substr(0, blob.size() / 2),
        blob + "more", std::string("sb-checkpoint 2 9 2\n"),
        std::string("garbage"), std::string{}}) {
    INFO("blob: " << bad);
    CHECK_FALSE(load_checkpoint(*b, bad).ok());
    CHECK(provisioning_of(*b) ==
          std::map<std::string, std::string>{{"mine", "kept"}});
    CHECK(applied_position(*b).value() == 3);
  }
}

TEST_CASE("persistence: log retention keeps what a node still needs",
          "[persistence][checkpoint]") {
  retention_input in;
  in.first = 1;
  in.last = 100;
  in.keep = 10;
  in.own_applied = 100;
  in.live_applied = {100, 100};

  // Everything but the newest 10, after publishing a checkpoint.
  auto p = plan_retention(in);
  CHECK(p.publish_checkpoint);
  CHECK(p.trim_through == 90);

  // A checkpoint that covers the trim is not published again.
  in.checkpoint = 95;
  p = plan_retention(in);
  CHECK_FALSE(p.publish_checkpoint);
  CHECK(p.trim_through == 90);

  // A live node behind holds the trim back; one that never reported (0)
  // stops it.
  in.live_applied = {100, 40};
  CHECK(plan_retention(in).trim_through == 40);
  in.live_applied = {100, 0};
  CHECK(plan_retention(in).trim_through == 0);

  // Nothing to do within `keep`, or once trimmed.
  in.live_applied = {100, 100};
  in.first = 91;
  CHECK(plan_retention(in).trim_through == 0);
  in.first = 1;
  in.last = 10;
  in.own_applied = 10;
  CHECK(plan_retention(in).trim_through == 0);

  // The maintainer itself behind: never trims past what it could
  // checkpoint.
  in.last = 100;
  in.checkpoint = 0;
  in.own_applied = 50;
  in.live_applied = {50, 100};
  p = plan_retention(in);
  CHECK(p.publish_checkpoint);
  CHECK(p.trim_through == 50);
}
