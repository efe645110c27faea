#include "mgmt/api/authenticator.hpp"

#include "mgmt/api/keys.hpp"
#include "mgmt/auth/basic_auth.hpp"
#include "mgmt/auth/password_hash.hpp"

#include <spdlog/spdlog.h>

namespace sb::mgmt::api {

namespace {

// Bounds the verified-password cache; cleared as a whole when full (a
// re-verification costs one PBKDF2, nothing else).
constexpr size_t max_verified = 10000;

std::optional<uint64_t> member_id(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it != doc.end() && it->is_number_integer() && it->get<int64_t>() > 0)
    return it->get<uint64_t>();
  return std::nullopt;
}

} // namespace

authenticator::authenticator(const store_reader& reader,
                             auth::login_guard guard)
    : reader_(reader)
    , guard_(std::move(guard)) {}

http::response error_response(const rest::api_error& e) {
  auto r = rest::to_response(e);
  if (e.status == 401)
    r.set_header("WWW-Authenticate", "Basic realm=\"api_admin_http\"");
  return r;
}

bool authenticator::verify(const std::string& password,
                           const std::string& stored) {
  auto fingerprint = auth::sha256_hex(password);
  {
    std::lock_guard lock{mu_};
    auto it = verified_.find(stored);
    if (it != verified_.end() && !fingerprint.empty() &&
        it->second == fingerprint)
      return true;
  }
  if (!auth::verify_password(password, stored))
    return false;
  std::lock_guard lock{mu_};
  if (verified_.size() >= max_verified)
    verified_.clear();
  verified_[stored] = fingerprint;
  return true;
}

std::optional<auth::principal>
authenticator::admin_login(const std::string& login,
                           const std::string& password) {
  // Logins are unique regardless of case, as in the reference's MySQL.
  auto id = reader_.unique_owner(index_admin_login, ascii_lower(login));
  if (!id || !*id)
    return std::nullopt;
  auto doc = reader_.load(kind_admins, **id);
  if (!doc || !*doc)
    return std::nullopt;
  const auto& d = **doc;
  if (!d.value("is_active", true) ||
      !verify(password, d.value("_password", std::string{})))
    return std::nullopt;
  auto p = auth::make_admin_principal(**id, member_id(d, "reseller_id"),
                                      d.value("is_superuser", false),
                                      d.value("read_only", false));
  if (!p)
    return std::nullopt;
  return *p;
}

std::optional<auth::principal>
authenticator::subscriber_login(const std::string& login,
                                const std::string& password) {
  auto parts = auth::split_subscriber_login(login);
  if (!parts)
    return std::nullopt;
  auto domain = reader_.unique_owner(index_domain, ascii_lower(parts->second));
  if (!domain || !*domain)
    return std::nullopt;
  auto id = reader_.unique_owner(index_subscriber_web,
                                 web_login_key(**domain, parts->first));
  if (!id || !*id)
    return std::nullopt;
  auto doc = reader_.load(kind_subscribers, **id);
  if (!doc || !*doc)
    return std::nullopt;
  const auto& d = **doc;
  // Lock level 4 (global) also blocks self-care (digest §1.3).
  if (d.value("lock", 0) >= 4 || d.value("status", "") != "active" ||
      !verify(password, d.value("_webpassword", std::string{})))
    return std::nullopt;
  auto customer = member_id(d, "customer_id");
  auto reseller = member_id(d, "reseller_id");
  if (!customer || !reseller)
    return std::nullopt;
  return auth::make_subscriber_principal(**id, *customer, *reseller);
}

rest::api_result<auth::principal>
authenticator::authenticate(const http::request& rq) {
  auto now = std::chrono::system_clock::now();
  {
    std::lock_guard lock{mu_};
    if (guard_.is_banned(rq.remote_address, now))
      return rest::forbidden(
          "Too many failed logins from this address, try again later.");
  }
  auto header = rq.header("Authorization");
  if (!header)
    return rest::unauthorized();
  auto creds = auth::parse_basic(*header);
  std::optional<auth::principal> who;
  if (creds) {
    who = admin_login(creds->user, creds->password);
    if (!who && creds->user.find('@') != std::string::npos)
      who = subscriber_login(creds->user, creds->password);
  }
  std::lock_guard lock{mu_};
  if (!who) {
    if (guard_.record_failure(rq.remote_address, now))
      spdlog::warn("api: {} banned after repeated failed logins",
                   rq.remote_address);
    return rest::unauthorized();
  }
  guard_.record_success(rq.remote_address, now);
  return *who;
}

std::vector<auth::login_ban> authenticator::bans() const {
  std::lock_guard lock{mu_};
  return guard_.bans(std::chrono::system_clock::now());
}

} // namespace sb::mgmt::api
