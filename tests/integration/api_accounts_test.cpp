// Contract tests of the account resources: /api/admins, /api/resellers,
// /api/contracts, /api/systemcontacts, /api/customercontacts and
// /api/billingprofiles. A fresh fixture has admin #1 "administrator"
// (superuser), reseller #1 "default" on contract #1 with system contact #1,
// and billing profile #1 "default" of reseller 1.
#include "tests/integration/api_contract_helpers.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using sb::test::admin_login;
using sb::test::api_fixture;
using sb::test::credentials;
using namespace sb::test::contract;

namespace {

json reseller_contract(uint64_t contact, const std::string& type = "reseller") {
  return {{"contact_id", contact},
          {"status", "active"},
          {"type", type},
          {"billing_profile_id", 1}};
}

} // namespace

// ---------------------------------------------------------------- admins

TEST_CASE("api admins are created, read, listed, changed and deleted",
          "[api][admins]") {
  api_fixture f;
  auto created = f.call("POST", "/api/admins/",
                        json{{"login", "ops"},
                             {"password", "opspass1"},
                             {"email", "ops@example.com"},
                             {"reseller_id", 1}});
  REQUIRE(created.status == 201);
  auto id = created.created_id();
  CHECK(id == 2);
  CHECK(created.header("Location") == "/api/admins/2");
  CHECK(created.body.empty());

  auto got = f.call("GET", item("admins", id));
  REQUIRE(got.status == 200);
  CHECK(got.json["id"] == id);
  CHECK(got.json["login"] == "ops");
  CHECK(got.json["email"] == "ops@example.com");
  CHECK(got.json["reseller_id"] == 1);
  CHECK(got.json["is_superuser"] == false);
  CHECK(got.json["is_active"] == true);
  CHECK(got.json["read_only"] == false);
  CHECK(got.json["create_timestamp"].is_string());
  CHECK(got.json["_links"]["self"]["href"] == "/api/admins/2");
  // The password is stored as a hash and never shown.
  CHECK_FALSE(got.json.contains("password"));
  CHECK_FALSE(got.json.contains("_password"));

  CHECK(total(f, "admins") == 2);
  CHECK(total(f, "admins", "login=OP*") == 1);
  CHECK(total(f, "admins", "is_superuser=true") == 1);
  CHECK(total(f, "admins", "reseller_id=2") == 0);
  auto p1 = list(f, "admins", "rows=1&order_by=login");
  CHECK(p1.json["total_count"] == 2);
  REQUIRE(embedded(p1, "admins").size() == 1);
  CHECK(embedded(p1, "admins")[0]["login"] == "administrator");
  CHECK(p1.json["_links"]["next"]["href"] ==
        "/api/admins/?page=2&rows=1&order_by=login");
  CHECK_FALSE(p1.json["_links"].contains("prev"));
  auto p2 = list(f, "admins", "page=2&rows=1&order_by=login");
  REQUIRE(embedded(p2, "admins").size() == 1);
  CHECK(embedded(p2, "admins")[0]["login"] == "ops");
  CHECK(p2.json["_links"]["prev"]["href"] ==
        "/api/admins/?page=1&rows=1&order_by=login");
  CHECK_FALSE(p2.json["_links"].contains("next"));

  // Not a superuser: a login scoped to reseller 1, seeing only itself.
  credentials ops{"ops", "opspass1"};
  CHECK(total(f, "admins", "", ops) == 1);
  CHECK(f.call("GET", "/api/resellers/", std::nullopt, ops).status == 403);

  REQUIRE(f.call("PATCH", item("admins", id),
                 patch_op("replace", "/email", "new@example.com"))
              .status == 204);
  CHECK(f.call("GET", item("admins", id)).json["email"] == "new@example.com");

  // PUT replaces the whole item; without a password the old one is kept.
  auto doc = f.call("GET", item("admins", id)).json;
  doc["email"] = nullptr;
  doc["read_only"] = true;
  auto put = f.call("PUT", item("admins", id), doc, admin_login, std::nullopt,
                    prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.header("Preference-Applied") == "return=representation");
  CHECK(put.json["read_only"] == true);
  CHECK(put.json["email"].is_null());
  CHECK(put.json["login"] == "ops");
  CHECK(put.json["create_timestamp"] == got.json["create_timestamp"]);
  CHECK(f.call("GET", "/api/admins/", std::nullopt, ops).status == 200);
  // read_only now applies to the login.
  CHECK(f.call("POST", "/api/customercontacts/",
               json{{"email", "x@example.com"}}, ops)
            .status == 403);

  doc["password"] = "newpass1";
  doc["read_only"] = false;
  REQUIRE(f.call("PUT", item("admins", id), doc).status == 204);
  CHECK(f.call("GET", "/api/admins/", std::nullopt, ops).status == 401);
  credentials renewed{"ops", "newpass1"};
  CHECK(f.call("GET", "/api/admins/", std::nullopt, renewed).status == 200);

  REQUIRE(f.call("PATCH", item("admins", id),
                 patch_op("replace", "/is_active", false))
              .status == 204);
  CHECK(f.call("GET", "/api/admins/", std::nullopt, renewed).status == 401);

  CHECK(f.call("DELETE", item("admins", id)).status == 204);
  CHECK(f.call("GET", item("admins", id)).status == 404);
  CHECK(f.call("DELETE", item("admins", id)).status == 404);
  CHECK(total(f, "admins") == 1);
  // The deleted login no longer works.
  CHECK(f.call("GET", "/api/admins/", std::nullopt, renewed).status == 401);

  auto self = f.call("DELETE", "/api/admins/1");
  CHECK(self.status == 403);
  CHECK(message(self) == "Cannot delete own user");
  CHECK(f.call("GET", "/api/admins/1").status == 200);
}

TEST_CASE("api admins reject invalid input and keep the last superuser",
          "[api][admins]") {
  api_fixture f;
  auto empty = f.call("POST", "/api/admins/", json::object());
  CHECK(empty.status == 422);
  CHECK(message(empty) ==
        "Validation failed. field='login', input='', errors='Required "
        "field'; field='password', input='', errors='Required field'");

  auto bad = f.call("POST", "/api/admins/",
                    json{{"login", "bad login!"},
                         {"password", "short"},
                         {"email", 5},
                         {"is_superuser", "maybe"},
                         {"reseller_id", 0},
                         {"colour", "red"}});
  CHECK(bad.status == 422);
  CHECK_THAT(message(bad),
             Contains("field='login', input='bad login!', errors='Must "
                      "contain only letters, digits and -_.@+'"));
  CHECK_THAT(message(bad), Contains("field='password', input='short', "
                                    "errors='Must be at least 6 characters "
                                    "long'"));
  CHECK_THAT(message(bad),
             Contains("field='email', input='5', errors='Not a valid string'"));
  CHECK_THAT(message(bad), Contains("field='is_superuser', input='maybe', "
                                    "errors='Not a valid boolean'"));
  CHECK_THAT(message(bad),
             Contains("field='reseller_id', input='0', errors='Value must be "
                      "greater than or equal to 1'"));
  CHECK_THAT(message(bad),
             Contains("field='colour', input='red', errors='Unknown field'"));

  auto long_login =
      f.call("POST", "/api/admins/",
             json{{"login", std::string(32, 'a')}, {"password", "longenough"}});
  CHECK(long_login.status == 422);
  CHECK_THAT(message(long_login),
             Contains("errors='Field should not exceed 31 characters. You "
                      "entered 32'"));

  auto dup =
      f.call("POST", "/api/admins/",
             json{{"login", "administrator"}, {"password", "whatever1"}});
  CHECK(dup.status == 422);
  CHECK(message(dup) == "Validation failed. field='login', "
                        "input='administrator', errors='Admin login already "
                        "exists'");
  auto no_reseller = f.call("POST", "/api/admins/",
                            json{{"login", "orphan"},
                                 {"password", "whatever1"},
                                 {"reseller_id", 999}});
  CHECK(no_reseller.status == 422);
  CHECK(message(no_reseller) == "Validation failed. field='reseller_id', "
                                "input='999', errors='Invalid 'reseller_id''");

  auto text =
      f.call_raw("POST", "/api/admins/",
                 R"({"login":"t","password":"textplain"})", "text/plain");
  CHECK(text.status == 415);
  auto anon =
      f.call("POST", "/api/admins/",
             json{{"login", "anon"}, {"password", "anonpass"}}, std::nullopt);
  CHECK(anon.status == 401);
  CHECK(f.call("GET", "/api/admins/", std::nullopt,
               credentials{"administrator", "wrong"})
            .status == 401);
  // None of these created anything.
  CHECK(total(f, "admins") == 1);

  // The only active superuser can be neither demoted nor deactivated.
  for (const auto& [field, value] :
       {std::pair{"/is_superuser", false}, std::pair{"/is_active", false}}) {
    auto r =
        f.call("PATCH", "/api/admins/1", patch_op("replace", field, value));
    CHECK(r.status == 422);
    CHECK(message(r) == "The entity could not be processed: The last active "
                        "superuser cannot be demoted or deactivated.");
  }
  auto admin = f.call("GET", "/api/admins/1");
  CHECK(admin.json["is_superuser"] == true);
  CHECK(admin.json["is_active"] == true);
  // With another superuser, either may be demoted.
  auto root2 = f.create(
      "admins",
      {{"login", "root2"}, {"password", "root2pass"}, {"is_superuser", true}});
  CHECK(f.call("GET", item("admins", root2)).json["reseller_id"] == 1);
  CHECK(f.call("PATCH", item("admins", root2),
               patch_op("replace", "/is_superuser", false))
            .status == 204);
  CHECK(f.call("GET", item("admins", root2)).json["is_superuser"] == false);
}

TEST_CASE("api admins: reseller admins manage only their own logins",
          "[api][admins][roles]") {
  api_fixture f;
  auto r2 = f.reseller("r2", "r2admin", "r2secret");
  credentials who{"r2admin", "r2secret"};

  auto own = list(f, "admins", "", who);
  CHECK(own.json["total_count"] == 1);
  CHECK(embedded(own, "admins")[0]["login"] == "r2admin");
  auto self_id = embedded(own, "admins")[0]["id"].get<uint64_t>();
  // The superuser is invisible to it.
  CHECK(f.call("GET", "/api/admins/1", std::nullopt, who).status == 404);
  CHECK(f.call("PATCH", "/api/admins/1",
               patch_op("replace", "/email", "x@example.com"), who)
            .status == 404);
  CHECK(f.call("DELETE", "/api/admins/1", std::nullopt, who).status == 404);

  auto foreign = f.call(
      "POST", "/api/admins/",
      json{{"login", "r2x"}, {"password", "r2xpass1"}, {"reseller_id", 1}},
      who);
  CHECK(foreign.status == 422);
  CHECK(message(foreign) == "Validation failed. field='reseller_id', "
                            "input='1', errors='Invalid 'reseller_id''");
  auto super = f.call(
      "POST", "/api/admins/",
      json{{"login", "r2y"}, {"password", "r2ypass1"}, {"is_superuser", true}},
      who);
  CHECK(super.status == 422);
  CHECK_THAT(message(super), names_field("is_superuser"));
  CHECK(total(f, "admins") == 2);

  auto made =
      f.create("admins", {{"login", "r2ops"}, {"password", "r2opspass"}}, who);
  auto got = f.call("GET", item("admins", made), std::nullopt, who);
  REQUIRE(got.status == 200);
  CHECK(got.json["reseller_id"] == r2);
  CHECK(got.json["is_superuser"] == false);
  CHECK(f.call("PATCH", item("admins", made),
               patch_op("replace", "/is_superuser", true), who)
            .status == 422);
  CHECK(f.call("PATCH", item("admins", made),
               patch_op("replace", "/reseller_id", 1), who)
            .status == 422);
  CHECK(f.call("GET", item("admins", made)).json["reseller_id"] == r2);
  CHECK(total(f, "admins", "", who) == 2);
  CHECK(total(f, "admins") == 3);

  // A superuser's PUT that leaves out reseller_id keeps the admin's
  // reseller (it does not move it into the superuser's own).
  auto doc = f.call("GET", item("admins", made)).json;
  doc.erase("reseller_id");
  doc["email"] = "ops@r2.example";
  REQUIRE(f.call("PUT", item("admins", made), doc).status == 204);
  auto kept = f.call("GET", item("admins", made));
  CHECK(kept.json["reseller_id"] == r2);
  CHECK(kept.json["email"] == "ops@r2.example");
  CHECK(total(f, "admins", "", who) == 2);

  CHECK(f.call("DELETE", item("admins", self_id), std::nullopt, who).status ==
        403);
  CHECK(f.call("DELETE", item("admins", made), std::nullopt, who).status ==
        204);
  CHECK(total(f, "admins") == 2);
}

// ------------------------------------------------------------- resellers

TEST_CASE("api resellers: admin only, unique names and contracts, no DELETE",
          "[api][resellers]") {
  api_fixture f;
  auto contact = f.create("systemcontacts", {{"email", "r@example.com"}});
  auto contract = f.create("contracts", reseller_contract(contact));
  auto created = f.call(
      "POST", "/api/resellers/",
      json{{"contract_id", contract}, {"name", "Acme"}, {"status", "active"}});
  REQUIRE(created.status == 201);
  auto acme = created.created_id();
  CHECK(created.header("Location") == item("resellers", acme));
  auto got = f.call("GET", item("resellers", acme));
  REQUIRE(got.status == 200);
  CHECK(got.json["name"] == "Acme");
  CHECK(got.json["status"] == "active");
  CHECK(got.json["contract_id"] == contract);
  CHECK(got.json["_links"]["ngcp:contracts"]["href"] ==
        item("contracts", contract));

  auto contract2 = f.create("contracts", reseller_contract(contact));
  auto dup_name = f.call(
      "POST", "/api/resellers/",
      json{{"contract_id", contract2}, {"name", "ACME"}, {"status", "active"}});
  CHECK(dup_name.status == 422);
  CHECK(message(dup_name) == "Validation failed. field='name', input='ACME', "
                             "errors='Reseller name already exists'");
  auto dup_contract = f.call(
      "POST", "/api/resellers/",
      json{{"contract_id", contract}, {"name", "Other"}, {"status", "active"}});
  CHECK(dup_contract.status == 422);
  CHECK(message(dup_contract) ==
        "Validation failed. field='contract_id', input='" +
            std::to_string(contract) +
            "', errors='Reseller for this contract already exists'");
  auto peering =
      f.create("contracts", reseller_contract(contact, "sippeering"));
  auto not_reseller = f.call(
      "POST", "/api/resellers/",
      json{{"contract_id", peering}, {"name", "Peer"}, {"status", "active"}});
  CHECK(not_reseller.status == 422);
  CHECK_THAT(message(not_reseller),
             Contains("field='contract_id'") &&
                 Contains("Contract is not a reseller contract"));
  auto no_contract = f.call(
      "POST", "/api/resellers/",
      json{{"contract_id", 999}, {"name", "Ghost"}, {"status", "active"}});
  CHECK(no_contract.status == 422);
  CHECK_THAT(message(no_contract), Contains("Invalid 'contract_id'"));
  auto invalid = f.call("POST", "/api/resellers/",
                        json{{"contract_id", contract2},
                             {"name", std::string(64, 'n')},
                             {"status", "closed"}});
  CHECK(invalid.status == 422);
  CHECK_THAT(message(invalid), names_field("name") && names_field("status"));
  auto missing = f.call("POST", "/api/resellers/", json::object());
  CHECK_THAT(message(missing), names_field("contract_id") &&
                                   names_field("name") &&
                                   names_field("status"));
  CHECK(total(f, "resellers") == 2);

  // contract2 is still free after the failed attempts.
  auto beta = f.create(
      "resellers",
      {{"contract_id", contract2}, {"name", "Beta"}, {"status", "active"}});
  CHECK(total(f, "resellers", "name=acme") == 1);
  CHECK(total(f, "resellers", "name=B*") == 1);
  CHECK(total(f, "resellers", "status=active") == 3);
  auto sorted = list(f, "resellers", "order_by=name&rows=2");
  REQUIRE(embedded(sorted, "resellers").size() == 2);
  CHECK(embedded(sorted, "resellers")[0]["name"] == "Acme");
  CHECK(embedded(sorted, "resellers")[1]["name"] == "Beta");
  CHECK(sorted.json["_links"]["next"]["href"] ==
        "/api/resellers/?page=2&rows=2&order_by=name");

  auto doc = f.call("GET", item("resellers", beta)).json;
  doc["name"] = "Gamma";
  auto put = f.call("PUT", item("resellers", beta), doc, admin_login,
                    std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.json["name"] == "Gamma");
  CHECK(put.json["id"] == beta);
  // The old name was released, a taken one cannot be used.
  CHECK(f.call("PATCH", item("resellers", acme),
               patch_op("replace", "/name", "Beta"))
            .status == 204);
  auto taken = f.call("PATCH", item("resellers", acme),
                      patch_op("replace", "/name", "default"));
  CHECK(taken.status == 422);
  CHECK_THAT(message(taken), names_field("name"));
  CHECK(f.call("GET", item("resellers", acme)).json["name"] == "Beta");

  REQUIRE(f.call("PATCH", item("resellers", beta),
                 patch_op("replace", "/status", "terminated"))
              .status == 204);
  auto frozen = f.call("PATCH", item("resellers", beta),
                       patch_op("replace", "/name", "Delta"));
  CHECK(frozen.status == 422);
  CHECK(message(frozen) == "The entity could not be processed: Reseller is "
                           "already terminated and cannot be changed.");

  CHECK(f.call("DELETE", item("resellers", acme)).status == 405);
  CHECK(f.call("GET", item("resellers", acme)).status == 200);
  CHECK(f.call("GET", "/api/resellers/999").status == 404);
  CHECK(f.call_raw("PUT", item("resellers", acme), doc.dump(), "text/plain")
            .status == 415);
}

// ------------------------------------------------------------- contracts

TEST_CASE("api contracts: create, filter, type fixed, frozen when terminated",
          "[api][contracts]") {
  api_fixture f;
  auto contact = f.create("systemcontacts", {{"email", "peer@example.com"}});
  auto created = f.call("POST", "/api/contracts/",
                        json{{"contact_id", contact},
                             {"status", "active"},
                             {"type", "sippeering"},
                             {"billing_profile_id", 1},
                             {"external_id", "peer-1"},
                             {"max_subscribers", 5}});
  REQUIRE(created.status == 201);
  auto id = created.created_id();
  CHECK(created.header("Location") == item("contracts", id));
  auto got = f.call("GET", item("contracts", id));
  REQUIRE(got.status == 200);
  CHECK(got.json["contact_id"] == contact);
  CHECK(got.json["type"] == "sippeering");
  CHECK(got.json["billing_profile_id"] == 1);
  CHECK(got.json["external_id"] == "peer-1");
  CHECK(got.json["max_subscribers"] == 5);
  CHECK(got.json["create_timestamp"].is_string());
  CHECK(got.json["_links"]["ngcp:systemcontacts"]["href"] ==
        item("systemcontacts", contact));
  CHECK(got.json["_links"]["ngcp:billingprofiles"]["href"] ==
        "/api/billingprofiles/1");

  CHECK(total(f, "contracts") == 2);
  CHECK(total(f, "contracts", "type=sippeering") == 1);
  CHECK(total(f, "contracts", "type=reseller") == 1);
  CHECK(total(f, "contracts", "external_id=peer-*") == 1);
  CHECK(total(f, "contracts", "contact_id=" + std::to_string(contact)) == 1);

  auto missing = f.call("POST", "/api/contracts/", json::object());
  CHECK(missing.status == 422);
  CHECK_THAT(message(missing),
             names_field("contact_id") && names_field("status") &&
                 names_field("type") && names_field("billing_profile_id"));
  auto invalid = f.call("POST", "/api/contracts/",
                        json{{"contact_id", contact},
                             {"status", "sleeping"},
                             {"type", "customer"},
                             {"billing_profile_id", 1},
                             {"max_subscribers", -1}});
  CHECK(invalid.status == 422);
  CHECK_THAT(message(invalid),
             Contains("field='status', input='sleeping', errors='Not a valid "
                      "choice'") &&
                 Contains("field='type', input='customer', errors='Not a "
                          "valid choice'") &&
                 Contains("field='max_subscribers', input='-1', errors='Value "
                          "must be greater than or equal to 0'"));
  auto no_contact = f.call("POST", "/api/contracts/", reseller_contract(999));
  CHECK(no_contact.status == 422);
  CHECK(message(no_contact) == "Validation failed. field='contact_id', "
                               "input='999', errors='Invalid 'contact_id''");
  auto body = reseller_contract(contact);
  body["billing_profile_id"] = 999;
  auto no_profile = f.call("POST", "/api/contracts/", body);
  CHECK(no_profile.status == 422);
  CHECK_THAT(message(no_profile), names_field("billing_profile_id") &&
                                      Contains("Invalid 'billing_profile_id'"));
  CHECK(total(f, "contracts") == 2);

  auto retype = f.call("PATCH", item("contracts", id),
                       patch_op("replace", "/type", "reseller"));
  CHECK(retype.status == 422);
  CHECK(message(retype) == "Validation failed. field='type', "
                           "input='reseller', errors='The type of a contract "
                           "cannot change'");
  REQUIRE(f.call("PATCH", item("contracts", id),
                 patch_op("replace", "/status", "locked"))
              .status == 204);
  CHECK(f.call("GET", item("contracts", id)).json["status"] == "locked");

  auto doc = f.call("GET", item("contracts", id)).json;
  doc["external_id"] = "peer-2";
  doc.erase("max_subscribers");
  auto put = f.call("PUT", item("contracts", id), doc, admin_login,
                    std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.json["external_id"] == "peer-2");
  CHECK_FALSE(put.json.contains("max_subscribers"));
  CHECK(put.json["create_timestamp"] == got.json["create_timestamp"]);
  CHECK(total(f, "contracts", "external_id=peer-1") == 0);

  REQUIRE(f.call("PATCH", item("contracts", id),
                 patch_op("replace", "/status", "terminated"))
              .status == 204);
  auto frozen = f.call("PATCH", item("contracts", id),
                       patch_op("replace", "/status", "active"));
  CHECK(frozen.status == 422);
  CHECK(message(frozen) == "The entity could not be processed: Contract is "
                           "already terminated and cannot be changed.");
  CHECK(f.call("DELETE", item("contracts", id)).status == 405);
  CHECK(f.call("GET", item("contracts", id)).json["status"] == "terminated");
}

// -------------------------------------------------------------- contacts

TEST_CASE("api systemcontacts: validation, changes and deletion when unused",
          "[api][contacts]") {
  api_fixture f;
  auto missing = f.call("POST", "/api/systemcontacts/", json::object());
  CHECK(missing.status == 422);
  CHECK(message(missing) ==
        "Validation failed. field='email', input='', errors='Required field'");
  auto bad = f.call("POST", "/api/systemcontacts/",
                    json{{"email", "nope"},
                         {"country", "de"},
                         {"gender", "other"},
                         {"firstname", 5},
                         {"reseller_id", 1}});
  CHECK(bad.status == 422);
  CHECK_THAT(message(bad),
             Contains("field='email', input='nope', errors='Not a valid email "
                      "address'") &&
                 Contains("field='country', input='de', errors='Not a valid "
                          "ISO 3166-1 alpha-2 country code'") &&
                 Contains("field='gender', input='other', errors='Not a valid "
                          "choice'") &&
                 Contains("field='firstname', input='5', errors='Not a valid "
                          "string'") &&
                 Contains("field='reseller_id', input='1', errors='Unknown "
                          "field'"));
  CHECK(total(f, "systemcontacts") == 1);

  auto id = f.create("systemcontacts", {{"email", "ann@example.com"},
                                        {"firstname", "Ann"},
                                        {"country", "AT"},
                                        {"gender", "female"}});
  auto got = f.call("GET", item("systemcontacts", id));
  REQUIRE(got.status == 200);
  CHECK(got.json["email"] == "ann@example.com");
  CHECK(got.json["firstname"] == "Ann");
  CHECK(got.json["country"] == "AT");
  CHECK(got.json["create_timestamp"].is_string());
  CHECK(total(f, "systemcontacts", "email=ann@*") == 1);
  CHECK(total(f, "systemcontacts", "firstname=ann") == 1);

  REQUIRE(f.call("PATCH", item("systemcontacts", id),
                 patch_op("replace", "/firstname", "Anna"))
              .status == 204);
  CHECK(f.call("GET", item("systemcontacts", id)).json["firstname"] == "Anna");
  // PUT is a full replace: what is left out is gone.
  auto put = f.call("PUT", item("systemcontacts", id),
                    json{{"email", "ann@example.com"}, {"lastname", "Smith"}},
                    admin_login, std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.json["lastname"] == "Smith");
  CHECK_FALSE(put.json.contains("firstname"));
  CHECK(put.json["create_timestamp"] == got.json["create_timestamp"]);
  CHECK(f.call("PUT", item("systemcontacts", id), json{{"email", "bad"}})
            .status == 422);
  CHECK(f.call("GET", item("systemcontacts", id)).json["email"] ==
        "ann@example.com");

  // In use by a contract: kept.
  auto contract = f.create("contracts", reseller_contract(id, "sippeering"));
  auto in_use = f.call("DELETE", item("systemcontacts", id));
  CHECK(in_use.status == 422);
  CHECK(message(in_use) == "The entity could not be processed: Contact is "
                           "still in use by contracts #" +
                               std::to_string(contract));
  CHECK(f.call("GET", item("systemcontacts", id)).status == 200);
  // Once the contract uses another contact, it can go.
  auto other = f.create("systemcontacts", {{"email", "bob@example.com"}});
  REQUIRE(f.call("PATCH", item("contracts", contract),
                 patch_op("replace", "/contact_id", other))
              .status == 204);
  CHECK(f.call("DELETE", item("systemcontacts", id)).status == 204);
  CHECK(f.call("GET", item("systemcontacts", id)).status == 404);
  CHECK(f.call("DELETE", item("systemcontacts", id)).status == 404);
  CHECK(total(f, "systemcontacts") == 2);
  // The bootstrap reseller's contact is in use too.
  CHECK(f.call("DELETE", "/api/systemcontacts/1").status == 422);
}

TEST_CASE("api customercontacts: reseller required, in-use rules",
          "[api][contacts]") {
  api_fixture f;
  auto r2 = bare_reseller(f, "r2");
  auto no_reseller = f.call("POST", "/api/customercontacts/",
                            json{{"email", "c@example.com"}});
  CHECK(no_reseller.status == 422);
  CHECK(message(no_reseller) == "Validation failed. field='reseller_id', "
                                "input='', errors='Required field'");
  auto bad_reseller =
      f.call("POST", "/api/customercontacts/",
             json{{"email", "c@example.com"}, {"reseller_id", 999}});
  CHECK(bad_reseller.status == 422);
  CHECK(message(bad_reseller) == "Validation failed. field='reseller_id', "
                                 "input='999', errors='Invalid "
                                 "'reseller_id''");
  auto bad_email = f.call("POST", "/api/customercontacts/",
                          json{{"email", "@example.com"}, {"reseller_id", 1}});
  CHECK(bad_email.status == 422);
  CHECK_THAT(message(bad_email), names_field("email"));
  CHECK(total(f, "customercontacts") == 0);

  auto id = f.create(
      "customercontacts",
      {{"reseller_id", 1}, {"email", "c@example.com"}, {"company", "ACME"}});
  auto got = f.call("GET", item("customercontacts", id));
  REQUIRE(got.status == 200);
  CHECK(got.json["reseller_id"] == 1);
  CHECK(got.json["company"] == "ACME");
  CHECK(got.json["_links"]["ngcp:resellers"]["href"] == "/api/resellers/1");
  CHECK(total(f, "customercontacts", "company=acme") == 1);
  CHECK(total(f, "customercontacts", "reseller_id=" + std::to_string(r2)) == 0);

  // Unused, it may move to another reseller and back.
  REQUIRE(f.call("PATCH", item("customercontacts", id),
                 patch_op("replace", "/reseller_id", r2))
              .status == 204);
  CHECK(f.call("GET", item("customercontacts", id)).json["reseller_id"] == r2);
  REQUIRE(f.call("PATCH", item("customercontacts", id),
                 patch_op("replace", "/reseller_id", 1))
              .status == 204);

  auto cust = f.create("customers", {{"contact_id", id},
                                     {"status", "active"},
                                     {"type", "sipaccount"},
                                     {"billing_profile_id", 1}});
  auto move = f.call("PATCH", item("customercontacts", id),
                     patch_op("replace", "/reseller_id", r2));
  CHECK(move.status == 422);
  CHECK(message(move) == "Validation failed. field='reseller_id', input='" +
                             std::to_string(r2) +
                             "', errors='Contact is in use by a customer of "
                             "its reseller'");
  auto del = f.call("DELETE", item("customercontacts", id));
  CHECK(del.status == 422);
  CHECK(message(del) == "The entity could not be processed: Contact is still "
                        "in use by customers #" +
                            std::to_string(cust));
  CHECK(f.call("GET", item("customercontacts", id)).json["reseller_id"] == 1);

  // Once the customer uses another contact, it can go.
  auto other = f.customer_contact();
  REQUIRE(f.call("PATCH", item("customers", cust),
                 patch_op("replace", "/contact_id", other))
              .status == 204);
  CHECK(f.call("DELETE", item("customercontacts", id)).status == 204);
  CHECK(f.call("GET", item("customercontacts", id)).status == 404);
  CHECK(ids(f, "customercontacts") == std::vector<uint64_t>{other});
}

// ------------------------------------------------------- billingprofiles

TEST_CASE("api billingprofiles: create, list, update and terminate",
          "[api][billingprofiles]") {
  api_fixture f;
  auto created = f.call("POST", "/api/billingprofiles/",
                        json{{"reseller_id", 1},
                             {"handle", "gold"},
                             {"name", "Gold"},
                             {"interval_count", 3},
                             {"currency", "EUR"}});
  REQUIRE(created.status == 201);
  auto gold = created.created_id();
  CHECK(created.header("Location") == item("billingprofiles", gold));
  auto got = f.call("GET", item("billingprofiles", gold));
  REQUIRE(got.status == 200);
  CHECK(got.json["handle"] == "gold");
  CHECK(got.json["name"] == "Gold");
  CHECK(got.json["reseller_id"] == 1);
  CHECK(got.json["status"] == "active");
  CHECK(got.json["interval_count"] == 3);
  CHECK(got.json["interval_unit"] == "month");
  CHECK(got.json["prepaid"] == false);
  CHECK(got.json["prepaid_library"] == "libswrate");
  CHECK(got.json["terminate_timestamp"].is_null());
  CHECK(got.json["_links"]["ngcp:resellers"]["href"] == "/api/resellers/1");

  auto silver =
      f.create("billingprofiles",
               {{"reseller_id", 1}, {"handle", "silver"}, {"name", "Silver"}});
  CHECK(total(f, "billingprofiles") == 3);
  CHECK(total(f, "billingprofiles", "handle=gold") == 1);
  CHECK(total(f, "billingprofiles", "name=S*") == 1);
  CHECK(total(f, "billingprofiles", "reseller_id=1") == 3);
  auto page = list(f, "billingprofiles", "rows=2&order_by=handle");
  REQUIRE(embedded(page, "billingprofiles").size() == 2);
  CHECK(embedded(page, "billingprofiles")[0]["handle"] == "default");
  CHECK(embedded(page, "billingprofiles")[1]["handle"] == "gold");
  CHECK(page.json["_links"]["next"]["href"] ==
        "/api/billingprofiles/?page=2&rows=2&order_by=handle");
  auto last = list(f, "billingprofiles", "page=2&rows=2&order_by=handle");
  CHECK(embedded(last, "billingprofiles")[0]["handle"] == "silver");
  CHECK_FALSE(last.json["_links"].contains("next"));

  REQUIRE(f.call("PATCH", item("billingprofiles", gold),
                 patch_op("replace", "/name", "Gold Plus"))
              .status == 204);
  CHECK(f.call("GET", item("billingprofiles", gold)).json["name"] ==
        "Gold Plus");
  // PUT: full replace, output fields ignored; the handle may change and the
  // old one is released.
  auto doc = f.call("GET", item("billingprofiles", gold)).json;
  doc["handle"] = "platinum";
  doc.erase("interval_count");
  doc["status"] = "whatever";
  auto put = f.call("PUT", item("billingprofiles", gold), doc, admin_login,
                    std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.json["handle"] == "platinum");
  CHECK(put.json["status"] == "active");
  CHECK_FALSE(put.json.contains("interval_count"));
  CHECK(put.json["create_timestamp"] == got.json["create_timestamp"]);
  f.create("billingprofiles",
           {{"reseller_id", 1}, {"handle", "gold"}, {"name", "Gold again"}});
  auto move =
      f.call("PATCH", item("billingprofiles", gold),
             patch_op("replace", "/reseller_id", bare_reseller(f, "r2")));
  CHECK(move.status == 422);
  CHECK_THAT(message(move),
             names_field("reseller_id") &&
                 Contains("The reseller of a billing profile cannot change"));

  // In use by the bootstrap reseller's contract, or by a customer: kept.
  auto used = f.call("DELETE", "/api/billingprofiles/1");
  CHECK(used.status == 422);
  CHECK(message(used) == "The entity could not be processed: Billing profile "
                         "is still used by contracts #1");
  auto cust = f.customer(1, {{"billing_profile_id", silver}});
  auto used2 = f.call("DELETE", item("billingprofiles", silver));
  CHECK(used2.status == 422);
  CHECK(message(used2) == "The entity could not be processed: Billing "
                          "profile is still used by customers #" +
                              std::to_string(cust));
  CHECK(f.call("GET", item("billingprofiles", silver)).json["status"] ==
        "active");

  // DELETE terminates an unused profile; it stays readable, frozen, unusable.
  CHECK(f.call("DELETE", item("billingprofiles", gold)).status == 204);
  auto gone = f.call("GET", item("billingprofiles", gold));
  REQUIRE(gone.status == 200);
  CHECK(gone.json["status"] == "terminated");
  CHECK(gone.json["terminate_timestamp"].is_string());
  CHECK(total(f, "billingprofiles", "status=terminated") == 1);
  auto frozen = f.call("PATCH", item("billingprofiles", gold),
                       patch_op("replace", "/name", "Zombie"));
  CHECK(frozen.status == 422);
  CHECK(message(frozen) == "The entity could not be processed: Billing "
                           "profile is already terminated and cannot be "
                           "changed.");
  auto on_terminated = f.call("POST", "/api/customers/",
                              json{{"contact_id", f.customer_contact()},
                                   {"status", "active"},
                                   {"type", "sipaccount"},
                                   {"billing_profile_id", gold}});
  CHECK(on_terminated.status == 422);
  CHECK_THAT(message(on_terminated), Contains("Invalid 'billing_profile_id'"));
  // Its handle is free again.
  f.create("billingprofiles",
           {{"reseller_id", 1}, {"handle", "platinum"}, {"name", "New"}});
}

TEST_CASE("api billingprofiles validate input and keep handles unique per "
          "reseller",
          "[api][billingprofiles]") {
  api_fixture f;
  auto missing = f.call("POST", "/api/billingprofiles/", json::object());
  CHECK(missing.status == 422);
  CHECK_THAT(message(missing), names_field("handle") && names_field("name"));
  auto no_reseller = f.call("POST", "/api/billingprofiles/",
                            json{{"handle", "h"}, {"name", "H"}});
  CHECK(no_reseller.status == 422);
  CHECK(message(no_reseller) == "Validation failed. field='reseller_id', "
                                "input='', errors='Required field'");
  auto bad = f.call("POST", "/api/billingprofiles/",
                    json{{"reseller_id", 1},
                         {"handle", "bad handle"},
                         {"name", std::string(32, 'n')},
                         {"interval_count", 13},
                         {"interval_unit", "day"},
                         {"interval_charge", -1},
                         {"fraud_daily_lock", 6},
                         {"prepaid", "yes"},
                         {"fees", json::array()}});
  CHECK(bad.status == 422);
  CHECK_THAT(message(bad),
             Contains("field='handle', input='bad handle', errors='Must "
                      "contain only letters, digits and '_''") &&
                 Contains("errors='Field should not exceed 31 characters. "
                          "You entered 32'") &&
                 Contains("field='interval_count', input='13', errors='Value "
                          "must be between 1 and 12'") &&
                 Contains("field='interval_unit', input='day', errors='Not a "
                          "valid choice'") &&
                 Contains("field='interval_charge', input='-1', "
                          "errors='Value must be greater than or equal to "
                          "0'") &&
                 Contains("field='fraud_daily_lock', input='6'") &&
                 Contains("field='prepaid', input='yes', errors='Not a valid "
                          "boolean'") &&
                 Contains("field='fees', input='[]', errors='Unknown "
                          "field'"));
  auto dup =
      f.call("POST", "/api/billingprofiles/",
             json{{"reseller_id", 1}, {"handle", "default"}, {"name", "Copy"}});
  CHECK(dup.status == 422);
  CHECK(message(dup) == "Validation failed. field='handle', input='default', "
                        "errors='Billing profile handle already exists'");
  auto ghost = f.call(
      "POST", "/api/billingprofiles/",
      json{{"reseller_id", 999}, {"handle", "ghost"}, {"name", "Ghost"}});
  CHECK(ghost.status == 422);
  CHECK_THAT(message(ghost), Contains("Invalid 'reseller_id'"));
  CHECK(total(f, "billingprofiles") == 1);

  // Handles are unique per reseller only.
  auto r2 = bare_reseller(f, "r2");
  auto other = f.create(
      "billingprofiles",
      {{"reseller_id", r2}, {"handle", "default"}, {"name", "R2 default"}});
  CHECK(f.call("GET", item("billingprofiles", other)).json["reseller_id"] ==
        r2);
  CHECK(total(f, "billingprofiles", "handle=default") == 2);
  // Renaming onto a taken handle fails and changes nothing.
  auto second = f.create(
      "billingprofiles",
      {{"reseller_id", r2}, {"handle", "second"}, {"name", "R2 second"}});
  auto clash = f.call("PATCH", item("billingprofiles", second),
                      patch_op("replace", "/handle", "default"));
  CHECK(clash.status == 422);
  CHECK_THAT(message(clash), names_field("handle"));
  CHECK(f.call("GET", item("billingprofiles", second)).json["handle"] ==
        "second");
  // The failed rename left "second" claimed: nobody else can take it.
  CHECK(f.call("POST", "/api/billingprofiles/",
               json{{"reseller_id", r2}, {"handle", "second"}, {"name", "X"}})
            .status == 422);
}

// ------------------------------------------------------- roles and auth

TEST_CASE("api account resources are scoped to a reseller admin",
          "[api][roles]") {
  api_fixture f;
  auto r2 = f.reseller("r2", "r2admin", "r2secret");
  credentials who{"r2admin", "r2secret"};

  // Admin-only collections: 403 for every method, before any lookup.
  for (const std::string coll : {"resellers", "contracts", "systemcontacts"}) {
    INFO(coll);
    auto get = f.call("GET", "/api/" + coll + "/", std::nullopt, who);
    CHECK(get.status == 403);
    CHECK(message(get) == "Forbidden!");
    CHECK(f.call("GET", "/api/" + coll + "/1", std::nullopt, who).status ==
          403);
    CHECK(f.call("GET", "/api/" + coll + "/999", std::nullopt, who).status ==
          403);
    CHECK(f.call("POST", "/api/" + coll + "/", json{{"email", "x@example.com"}},
                 who)
              .status == 403);
    CHECK(f.call("PATCH", "/api/" + coll + "/1",
                 patch_op("replace", "/status", "locked"), who)
              .status == 403);
  }
  CHECK(total(f, "systemcontacts") == 2);
  CHECK(f.call("GET", "/api/resellers/1").json["status"] == "active");

  // Customer contacts: its own reseller only.
  auto admins_contact = f.customer_contact(1);
  auto own = f.create("customercontacts", {{"email", "r2c@example.com"}}, who);
  CHECK(f.call("GET", item("customercontacts", own), std::nullopt, who)
            .json["reseller_id"] == r2);
  auto foreign =
      f.call("POST", "/api/customercontacts/",
             json{{"email", "x@example.com"}, {"reseller_id", 1}}, who);
  CHECK(foreign.status == 422);
  CHECK(message(foreign) == "Validation failed. field='reseller_id', "
                            "input='1', errors='Invalid 'reseller_id''");
  CHECK(ids(f, "customercontacts", "", who) == std::vector<uint64_t>{own});
  CHECK(total(f, "customercontacts") == 2);
  auto theirs = item("customercontacts", admins_contact);
  CHECK(f.call("GET", theirs, std::nullopt, who).status == 404);
  CHECK(f.call("PUT", theirs, json{{"email", "y@example.com"}}, who).status ==
        404);
  CHECK(f.call("PATCH", theirs, patch_op("replace", "/email", "y@example.com"),
               who)
            .status == 404);
  CHECK(f.call("DELETE", theirs, std::nullopt, who).status == 404);
  CHECK(f.call("GET", theirs).json["email"] == "c@example.com");
  // Nor may its own contact be handed over to reseller 1.
  CHECK(f.call("PATCH", item("customercontacts", own),
               patch_op("replace", "/reseller_id", 1), who)
            .status == 422);
  // Its customers cannot use another reseller's contact.
  auto cust = f.call("POST", "/api/customers/",
                     json{{"contact_id", admins_contact},
                          {"status", "active"},
                          {"type", "sipaccount"},
                          {"billing_profile_id", 1}},
                     who);
  CHECK(cust.status == 422);
  CHECK_THAT(message(cust), Contains("Invalid 'contact_id'"));

  // Billing profiles: likewise.
  auto profile = f.create("billingprofiles",
                          {{"handle", "default"}, {"name", "Mine"}}, who);
  CHECK(f.call("GET", item("billingprofiles", profile), std::nullopt, who)
            .json["reseller_id"] == r2);
  auto foreign_profile =
      f.call("POST", "/api/billingprofiles/",
             json{{"handle", "x"}, {"name", "X"}, {"reseller_id", 1}}, who);
  CHECK(foreign_profile.status == 422);
  CHECK_THAT(message(foreign_profile), Contains("Invalid 'reseller_id'"));
  CHECK(ids(f, "billingprofiles", "", who) == std::vector<uint64_t>{profile});
  CHECK(f.call("GET", "/api/billingprofiles/1", std::nullopt, who).status ==
        404);
  CHECK(f.call("DELETE", "/api/billingprofiles/1", std::nullopt, who).status ==
        404);
  CHECK(f.call("PATCH", "/api/billingprofiles/1",
               patch_op("replace", "/name", "Hijacked"), who)
            .status == 404);
  CHECK(f.call("GET", "/api/billingprofiles/1").json["name"] ==
        "Default Billing Profile");
  // A customer of r2 cannot be put on reseller 1's profile.
  auto wrong_profile = f.call("POST", "/api/customers/",
                              json{{"contact_id", own},
                                   {"status", "active"},
                                   {"type", "sipaccount"},
                                   {"billing_profile_id", 1}},
                              who);
  CHECK(wrong_profile.status == 422);
  CHECK_THAT(message(wrong_profile), names_field("billing_profile_id"));
  CHECK(f.call("POST", "/api/customers/",
               json{{"contact_id", own},
                    {"status", "active"},
                    {"type", "sipaccount"},
                    {"billing_profile_id", profile}},
               who)
            .status == 201);
}

TEST_CASE("api account resources require credentials and JSON bodies",
          "[api][auth]") {
  api_fixture f;
  int n = 0;
  for (const std::string coll :
       {"admins", "resellers", "contracts", "systemcontacts",
        "customercontacts", "billingprofiles"}) {
    INFO(coll);
    auto anon = f.call("GET", "/api/" + coll + "/", std::nullopt, std::nullopt);
    CHECK(anon.status == 401);
    CHECK(anon.header("WWW-Authenticate") == "Basic realm=\"api_admin_http\"");
    CHECK(f.call("GET", "/api/" + coll + "/1", std::nullopt, std::nullopt)
              .status == 401);
    // Each from its own address, so no ban kicks in. A wrong password costs
    // a password hash check: one is enough.
    auto remote = "10.1.1." + std::to_string(++n);
    credentials wrong = n == 1 ? credentials{"administrator", "wrong"}
                               : credentials{"nobody", "administrator"};
    CHECK(f.call("GET", "/api/" + coll + "/", std::nullopt, wrong, std::nullopt,
                 {}, remote)
              .status == 401);
    CHECK(f.call("POST", "/api/" + coll + "/", json{{"email", "a@example.com"}},
                 wrong, std::nullopt, {}, remote)
              .status == 401);
    CHECK(f.call("PUT", "/api/" + coll + "/1", json{{"email", "a@example.com"}},
                 std::nullopt)
              .status == 401);
    // Resellers and contracts are never deleted: 405 before authentication.
    auto no_delete = coll == "resellers" || coll == "contracts";
    CHECK(f.call("DELETE", "/api/" + coll + "/1", std::nullopt, std::nullopt)
              .status == (no_delete ? 405u : 401u));
    // Bodies must be JSON.
    auto text = f.call_raw("POST", "/api/" + coll + "/",
                           R"({"email":"a@example.com"})", "text/plain");
    CHECK(text.status == 415);
    CHECK(message(text) == "Unsupported media type 'text/plain', accepting "
                           "application/json only.");
    CHECK(f.call_raw("POST", "/api/" + coll + "/", R"({"email":)",
                     "application/json")
              .status == 400);
  }
  CHECK(total(f, "systemcontacts") == 1);
  CHECK(total(f, "customercontacts") == 0);
  CHECK(total(f, "admins") == 1);
  CHECK(total(f, "billingprofiles") == 1);
}
