#pragma once

// One CDR per INVITE leg, as the reference's mediator writes them
// (ngcp-digest §4.1–4.2): the fields a call actor fills in, the status
// mapping from the leg's final SIP code, and the stored document the API's
// /api/cdrs and /api/calllists read (shape fixed in
// mgmt/api/resources/records.cpp). Pure: no store, no clock.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::billing {

/// accounting.cdr call_status.
enum class call_status : uint8_t {
  ok,
  busy,
  noanswer,
  cancel,
  offline,
  timeout,
  other,
  failed
};

/// "ok", "busy", ... as stored and filtered on.
std::string_view to_string(call_status s);

/// The mediator's mapping of a leg's final response: 200 → ok, 486 → busy,
/// 480 → noanswer, 487 → cancel, 404 → offline, 408 → timeout, any other
/// code → other. A leg that never got a final response (nullopt: the call
/// was torn down or timed out before any) is failed.
call_status status_of(std::optional<int> final_code);

/// accounting.cdr call_type: a plain call, or the call-forward leg kinds.
enum class call_type : uint8_t {
  call,
  cfu,
  cft,
  cfb,
  cfna,
  cfs,
  sms,
  cfr,
  cfo
};

std::string_view to_string(call_type t);

/// One side of a call. Ids are 0 (and user_id empty) for a party off the
/// platform.
struct cdr_party {
  std::string user_id; ///< subscriber uuid, "" off-net
  uint64_t subscriber_id = 0;
  uint64_t account_id = 0; ///< customer contract
  uint64_t reseller_id = 0;
  std::string user;
  std::string domain;
  std::string cli;
  bool clir = false;
  std::string ip; ///< source only: where the INVITE came from
};

struct cdr_record {
  std::string call_id; ///< the A leg's Call-ID
  call_type type = call_type::call;
  call_status status = call_status::failed;
  std::optional<int> code; ///< final SIP code of this leg
  int64_t init_ms = 0;     ///< INVITE received (Unix ms)
  int64_t start_ms = 0;    ///< answered, or the final reply when unanswered
  int64_t duration_ms = 0; ///< answer to BYE; 0 when unanswered
  cdr_party source;
  cdr_party destination;
  std::string destination_user_dialed; ///< before any rewriting
  std::string destination_user_in;     ///< after inbound normalisation
  std::string destination_domain_in;
};

/// The record as stored in the `cdrs` family: accounting.cdr columns
/// (times as Unix seconds with millisecond decimals, call_code as the
/// reference's 3-character text) plus the `_source_subscriber_id`,
/// `_destination_subscriber_id`, `_source_reseller_id` and
/// `_destination_reseller_id` members the API filters on. Rating fields
/// start unrated/unexported at zero cost.
nlohmann::json cdr_document(const cdr_record& r);

} // namespace sb::billing
