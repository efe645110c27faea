#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A SIP message as an owning value: what the SIP edge copies out of sofia's
// msg_t on its own thread and hands to actors (which never see sofia
// objects). Only the fields the platform routes on are parsed into members;
// every header is also kept verbatim, in order.
namespace sb::sip {

/// One header field as received (compact names expanded by the parser).
struct header_field {
  std::string name;
  std::string value;
  friend bool operator==(const header_field&, const header_field&) = default;
};

/// One Via hop.
struct via_hop {
  std::string protocol;  ///< e.g. "SIP/2.0/UDP"
  std::string transport; ///< "UDP", "TCP", "TLS", ... (upper case)
  std::string host;      ///< sent-by host (IPv6 in brackets)
  std::optional<uint16_t> port;
  std::string branch;
  std::optional<std::string> received;
  bool rport = false;                  ///< rport parameter present
  std::optional<uint16_t> rport_value; ///< its value, if any
  friend bool operator==(const via_hop&, const via_hop&) = default;
};

/// From, To and similar name-addr headers.
struct name_addr {
  std::string display; ///< without quotes
  std::string uri;
  std::string tag;
  friend bool operator==(const name_addr&, const name_addr&) = default;
};

/// One Contact entry.
struct contact_entry {
  std::string display;
  std::string uri;
  std::optional<std::string> q;    ///< as written, e.g. "0.7"
  std::optional<uint32_t> expires; ///< expires parameter
  std::vector<std::string> params; ///< every contact-param, "name[=value]"
  friend bool operator==(const contact_entry&, const contact_entry&) = default;
};

/// A parsed SIP request or response.
struct sip_message {
  bool is_request = true;
  // Request line.
  std::string method;
  std::string request_uri;
  // Status line.
  int status = 0;
  std::string reason;

  std::vector<via_hop> via;
  name_addr from;
  name_addr to;
  std::string call_id;
  uint32_t cseq = 0;
  std::string cseq_method;
  std::optional<uint32_t> max_forwards;
  std::optional<uint32_t> expires;
  bool contact_star = false; ///< "Contact: *"
  std::vector<contact_entry> contacts;
  std::vector<std::string> route; ///< each entry, e.g. "<sip:p;lr>"
  std::vector<std::string> record_route;
  std::vector<std::string> path;
  std::optional<std::string> user_agent;
  std::optional<std::string> content_type;
  std::string body;
  /// Every header, in order, names in their full form.
  std::vector<header_field> headers;

  /// The value of the first header called `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  /// Every value of headers called `name`, in order.
  std::vector<std::string> headers_named(std::string_view name) const;
  /// The comma-separated items of every header called `name` (Require,
  /// Supported, Allow, ...), trimmed, empty ones skipped, in order.
  std::vector<std::string> header_tokens(std::string_view name) const;
};

} // namespace sb::sip

namespace sb::sip {

/// The user and host of a sip:/sips: URI ("sip:alice@Example.com;x=y" →
/// {"alice", "Example.com"}); user empty when there is none, host without
/// port (IPv6 keeps its brackets); nullopt for other schemes or no host.
struct uri_user_host {
  std::string user;
  std::string host;
};
std::optional<uri_user_host> split_uri(std::string_view uri);

} // namespace sb::sip
