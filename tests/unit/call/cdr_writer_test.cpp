// CDRs written where /api/cdrs reads them: ids from the kind's sequence,
// continued after a reopen.
#include "actors/call/cdr_writer.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace sb::actors::call;
namespace keys = sb::persistence::keys;
using sb::persistence::cf;

TEST_CASE("cdr writer: sequential ids, documents in the cdrs family",
          "[call][cdr_writer]") {
  sb::test::temp_dir tmp("sb-cdrw");
  sb::billing::cdr_record r;
  r.call_id = "c1";
  r.code = 200;
  r.status = sb::billing::call_status::ok;
  {
    auto db = sb::persistence::rocks_store::open(tmp / "db");
    REQUIRE(db.ok());
    cdr_writer w(**db, keys::kind_cdrs);
    CHECK(*w.write(r) == 1);
    r.call_id = "c2";
    CHECK(*w.write(r) == 2);
  }
  auto db = sb::persistence::rocks_store::open(tmp / "db");
  REQUIRE(db.ok());
  cdr_writer w(**db, keys::kind_cdrs);
  r.call_id = "c3";
  CHECK(*w.write(r) == 3);
  auto doc = (*db)->get(cf::cdrs, sb::persistence::doc_key(keys::kind_cdrs, 2));
  REQUIRE(doc.ok());
  REQUIRE(*doc);
  auto j = nlohmann::json::parse(**doc);
  CHECK(j["call_id"] == "c2");
  CHECK(j["call_status"] == "ok");
}
