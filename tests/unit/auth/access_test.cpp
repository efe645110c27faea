#include "mgmt/auth/access.hpp"

#include <catch2/catch.hpp>

using namespace sb::mgmt::auth;

namespace {

constexpr role_set all_roles{role::admin, role::reseller, role::subscriber};
constexpr role_set staff{role::admin, role::reseller};

// Like subscribers in the reference: every role, no POST for subscribers.
constexpr method_roles subscribers_res{all_roles, staff, all_roles, all_roles,
                                       staff};
// Like customers: staff only, no DELETE.
constexpr method_roles customers_res{staff, staff, staff, staff, {}};
// Like resellers: admin only.
constexpr method_roles resellers_res{
    {role::admin}, {role::admin}, {role::admin}, {role::admin}, {role::admin}};

principal admin(bool ro = false) {
  return *make_admin_principal(1, 1, true, ro);
}
principal reseller(uint64_t id, bool ro = false) {
  return *make_admin_principal(10 + id, id, false, ro);
}
principal subscriber(uint64_t sid, uint64_t cid, uint64_t rid) {
  return make_subscriber_principal(sid, cid, rid);
}

const ownership sub_of_r2{2, 20, 200};    // subscriber 200, customer 20
const ownership other_sub_r2{2, 20, 201}; // same customer, other subscriber
const ownership sub_of_r3{3, 30, 300};
const ownership customer_r2{2, 20, std::nullopt};
const ownership system_wide{};

constexpr http_method every_method[] = {
    http_method::get,  http_method::head, http_method::options,
    http_method::post, http_method::put,  http_method::patch,
    http_method::del};

} // namespace

TEST_CASE("methods parse exactly and HEAD/OPTIONS follow GET", "[auth]") {
  CHECK(parse_method("GET") == http_method::get);
  CHECK(parse_method("DELETE") == http_method::del);
  CHECK(parse_method("PATCH") == http_method::patch);
  CHECK_FALSE(parse_method("get"));
  CHECK_FALSE(parse_method("TRACE"));
  CHECK_FALSE(parse_method(""));
  CHECK(roles_for(customers_res, http_method::head).contains(role::reseller));
  CHECK(roles_for(customers_res, http_method::del).empty());
  CHECK(is_safe(http_method::options));
  CHECK_FALSE(is_safe(http_method::patch));
  CHECK(to_string(role::reseller) == "reseller");
  CHECK(to_string(decision::not_found) == "not_found");
  CHECK(static_cast<int>(decision::forbidden) == 403);
}

TEST_CASE("principals are built per role with their invariants", "[auth]") {
  auto su = make_admin_principal(1, 1, true, false);
  REQUIRE(su.ok());
  CHECK(su->role == role::admin);
  auto su_no_reseller = make_admin_principal(2, std::nullopt, true, false);
  REQUIRE(su_no_reseller.ok());
  CHECK(valid(*su_no_reseller));
  auto r = make_admin_principal(3, 7, false, true);
  REQUIRE(r.ok());
  CHECK(r->role == role::reseller);
  CHECK(r->reseller_id == 7u);
  CHECK(r->read_only);
  CHECK_FALSE(make_admin_principal(4, std::nullopt, false, false).ok());
  auto s = make_subscriber_principal(200, 20, 2);
  CHECK(s.role == role::subscriber);
  CHECK(s.admin_id == 0);
  CHECK(valid(s));
  principal broken;
  broken.role = role::reseller;
  CHECK_FALSE(valid(broken));
  broken.role = role::subscriber;
  broken.subscriber_id = 5;
  CHECK_FALSE(valid(broken));
}

TEST_CASE("admins may do everything the resource offers", "[auth]") {
  for (auto m : every_method) {
    for (const auto& t : {sub_of_r2, sub_of_r3, customer_r2, system_wide}) {
      CHECK(decide(admin(), m, subscribers_res, t) == decision::allow);
      CHECK(decide(admin(), m, resellers_res, t) == decision::allow);
    }
    CHECK(decide(admin(), m, subscribers_res, std::nullopt) == decision::allow);
  }
  // ...but not a method the resource offers nobody.
  CHECK(decide(admin(), http_method::del, customers_res, customer_r2) ==
        decision::forbidden);
}

TEST_CASE("resellers reach their own objects only", "[auth]") {
  auto r2 = reseller(2);
  for (auto m : every_method) {
    INFO(static_cast<int>(m));
    CHECK(decide(r2, m, subscribers_res, sub_of_r2) == decision::allow);
    CHECK(decide(r2, m, subscribers_res, sub_of_r3) == decision::not_found);
    // Objects of no reseller (peering, system settings) are admin-only.
    CHECK(decide(r2, m, subscribers_res, system_wide) == decision::not_found);
    CHECK(decide(r2, m, resellers_res, sub_of_r2) == decision::forbidden);
  }
  CHECK(decide(r2, http_method::post, customers_res, std::nullopt) ==
        decision::allow);
  CHECK(decide(r2, http_method::get, customers_res, std::nullopt) ==
        decision::allow);
  // Role checks come first: a 403 does not depend on the target.
  CHECK(decide(r2, http_method::del, customers_res, sub_of_r3) ==
        decision::forbidden);
  CHECK(can_see(r2, customer_r2));
  CHECK_FALSE(can_see(r2, sub_of_r3));
  CHECK_FALSE(can_see(r2, ownership{std::nullopt, 20, 200}));
}

TEST_CASE("subscribers reach themselves only", "[auth]") {
  auto s = subscriber(200, 20, 2);
  CHECK(decide(s, http_method::get, subscribers_res, sub_of_r2) ==
        decision::allow);
  CHECK(decide(s, http_method::patch, subscribers_res, sub_of_r2) ==
        decision::allow);
  CHECK(decide(s, http_method::put, subscribers_res, sub_of_r2) ==
        decision::allow);
  CHECK(decide(s, http_method::get, subscribers_res, other_sub_r2) ==
        decision::not_found);
  CHECK(decide(s, http_method::get, subscribers_res, customer_r2) ==
        decision::not_found);
  CHECK(decide(s, http_method::get, subscribers_res, sub_of_r3) ==
        decision::not_found);
  CHECK(decide(s, http_method::post, subscribers_res, std::nullopt) ==
        decision::forbidden);
  CHECK(decide(s, http_method::del, subscribers_res, sub_of_r2) ==
        decision::forbidden);
  CHECK(decide(s, http_method::get, customers_res, customer_r2) ==
        decision::forbidden);
  // Inconsistent ownership never widens access.
  CHECK_FALSE(can_see(s, ownership{3, 20, 200}));
  CHECK_FALSE(can_see(s, ownership{2, 21, 200}));
  CHECK(can_see(s, ownership{std::nullopt, std::nullopt, 200}));
}

TEST_CASE("read-only principals may only read", "[auth]") {
  for (const auto& p : {admin(true), reseller(2, true)}) {
    for (auto m : every_method) {
      INFO(static_cast<int>(m));
      auto want = is_safe(m) ? decision::allow : decision::forbidden;
      CHECK(decide(p, m, subscribers_res, sub_of_r2) == want);
    }
    // Read-only refusal does not reveal foreign items either.
    CHECK(decide(p, http_method::del, subscribers_res, sub_of_r3) ==
          decision::forbidden);
  }
  auto ro_sub = make_subscriber_principal(200, 20, 2, true);
  CHECK(decide(ro_sub, http_method::patch, subscribers_res, sub_of_r2) ==
        decision::forbidden);
  CHECK(decide(ro_sub, http_method::get, subscribers_res, sub_of_r2) ==
        decision::allow);
}

TEST_CASE("invalid principals get nothing", "[auth]") {
  principal broken;
  broken.role = role::reseller; // no reseller_id
  CHECK(decide(broken, http_method::get, subscribers_res, system_wide) ==
        decision::forbidden);
  CHECK(decide(broken, http_method::get, subscribers_res, std::nullopt) ==
        decision::forbidden);
  CHECK_FALSE(can_see(broken, system_wide));
  CHECK_FALSE(visibility_filter(broken));
}

TEST_CASE("collection filters agree with can_see", "[auth]") {
  auto f_admin = visibility_filter(admin());
  REQUIRE(f_admin);
  CHECK_FALSE(f_admin->reseller_id);
  CHECK_FALSE(f_admin->subscriber_id);
  auto f_r = visibility_filter(reseller(2));
  REQUIRE(f_r);
  CHECK(f_r->reseller_id == 2u);
  CHECK_FALSE(f_r->customer_id);
  auto f_s = visibility_filter(subscriber(200, 20, 2));
  REQUIRE(f_s);
  CHECK(f_s->subscriber_id == 200u);
  for (const auto& p : {admin(), reseller(2), reseller(3),
                        subscriber(200, 20, 2), subscriber(300, 30, 3)}) {
    auto f = *visibility_filter(p);
    for (const auto& o : {sub_of_r2, other_sub_r2, sub_of_r3, customer_r2}) {
      bool matches = (!f.reseller_id || f.reseller_id == o.reseller_id) &&
                     (!f.customer_id || f.customer_id == o.customer_id) &&
                     (!f.subscriber_id || f.subscriber_id == o.subscriber_id);
      CHECK(matches == can_see(p, o));
    }
  }
}
