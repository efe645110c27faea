#pragma once

// An in-process provisioning API for contract tests: a fresh RocksDB, the
// local provisioning log, the provisioning actor and every resource, with
// requests dispatched through the real router (no sockets). Bootstrapped
// like a fresh platform (administrator/administrator, reseller 1, billing
// profile 1).

#include "mgmt/api/api_service.hpp"
#include "mgmt/http/message.hpp"
#include "mgmt/http/router.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::persistence {
class rocks_store;
class local_provisioning_log;
} // namespace sb::persistence

namespace sb::actors {
struct provisioning_progress;
}

namespace sb::test {

/// A response as a test reads it.
struct api_reply {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  nlohmann::json json; ///< parsed body, null if empty or not JSON
  std::optional<std::string> header(std::string_view name) const;
  /// The id at the end of the Location header, 0 if none.
  uint64_t created_id() const;
};

/// Who sends a request: Basic credentials, or none.
struct credentials {
  std::string user;
  std::string password;
};

inline const credentials admin_login{"administrator", "administrator"};

class api_fixture {
public:
  api_fixture();
  ~api_fixture();

  /// Sends one request and waits (bounded) for its response. JSON bodies get
  /// `content_type` (default by method: application/json-patch+json for
  /// PATCH, application/json otherwise).
  api_reply call(const std::string& method, const std::string& target,
                 const std::optional<nlohmann::json>& body = std::nullopt,
                 const std::optional<credentials>& who = admin_login,
                 std::optional<std::string> content_type = std::nullopt,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 const std::string& remote = "127.0.0.1");

  /// Raw body variant (malformed JSON tests).
  api_reply call_raw(const std::string& method, const std::string& target,
                     std::string body, const std::string& content_type,
                     const std::optional<credentials>& who = admin_login);

  /// POSTs and requires 201; returns the new id.
  uint64_t create(const std::string& coll, const nlohmann::json& body,
                  const std::optional<credentials>& who = admin_login);

  // Common objects, created with defaults on top of `extra`.
  uint64_t customer_contact(uint64_t reseller = 1);
  uint64_t customer(uint64_t reseller = 1, nlohmann::json extra = {});
  uint64_t domain(const std::string& name, uint64_t reseller = 1);
  uint64_t subscriber(uint64_t customer, uint64_t domain,
                      const std::string& username, nlohmann::json extra = {});
  /// A second reseller (contract, contact, reseller) with its own admin
  /// login `login`/`password`; returns the reseller id.
  uint64_t reseller(const std::string& name, const std::string& login,
                    const std::string& password);

  mgmt::http::router& router() { return router_; }
  /// The node's store, for seeding what the SIP side writes (CDRs,
  /// registrations) and for checking what a write left behind.
  persistence::rocks_store& store() { return *store_; }
  mgmt::api::api_service& api() { return *api_; }

private:
  api_reply send(mgmt::http::request rq, const std::optional<credentials>& who);

  temp_dir dir_{"sb-api"};
  std::unique_ptr<persistence::rocks_store> store_;
  std::unique_ptr<persistence::local_provisioning_log> log_;
  std::unique_ptr<actors::provisioning_progress> progress_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::actor actor_;
  std::unique_ptr<mgmt::api::api_service> api_;
  mgmt::http::router router_;
};

} // namespace sb::test
