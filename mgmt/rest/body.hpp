#pragma once

#include "mgmt/http/fwd.hpp"
#include "mgmt/rest/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::mgmt::rest {

inline constexpr std::string_view json_media_type = "application/json";
inline constexpr std::string_view json_patch_media_type =
    "application/json-patch+json";

/// Bodies nested deeper than this are refused before parsing, so later
/// recursive walks (dump, patch, compare) stay bounded.
inline constexpr std::size_t max_json_depth = 64;

/// `Prefer: return=...` of a write request.
enum class prefer_return : std::uint8_t { minimal = 1, representation };

/// The media type of a Content-Type value: parameters (`; charset=..`)
/// dropped, surrounding spaces trimmed, lower-cased. "" for "".
std::string media_type_of(std::string_view content_type);

/// 400 "The request must not contain 'Link' headers. Instead assert
/// relationships in the entity body." when `rq` has a Link header.
api_status forbid_link_header(const http::request& rq);

/// 415 unless the request's media type equals `accepted` (case-insensitive,
/// parameters ignored). The message echoes the Content-Type as sent, or
/// 'undefined' when absent.
api_status require_media_type(const http::request& rq,
                              std::string_view accepted);

/// Parses `text` as one JSON value. 400 "The entity is not a well-formed
/// '<media_type>' document. <parser detail>" on syntax errors, invalid
/// UTF-8 or nesting deeper than `max_json_depth`.
api_result<nlohmann::json> parse_json(std::string_view text,
                                      std::string_view media_type);

/// The whole body check of a POST/PUT (object, application/json) or PATCH
/// (array, application/json-patch+json), in the reference's order:
/// Link header (400), media type (415), empty body (400 "This request is
/// missing a message body."), well-formed JSON (400), then shape: 400
/// "Body for POST must be an object." / "Body for PUT must be an object." /
/// "Body for PATCH must be an array.". Other methods: 400 "Unsupported
/// method '<m>' for a request body.".
api_result<nlohmann::json> read_body(const http::request& rq);

/// The `return` preference of `rq`. Absent header, unknown values
/// (including `return=internal`) or several `return` preferences give
/// `minimal`, as in the reference. Names and values compare
/// case-insensitively; quoted values and other preferences are accepted.
prefer_return parse_prefer(const http::request& rq);

/// Value for the `Preference-Applied` response header: "return=minimal" or
/// "return=representation".
std::string_view preference_applied(prefer_return p) noexcept;

} // namespace sb::mgmt::rest
