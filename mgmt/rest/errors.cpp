#include "mgmt/rest/errors.hpp"

#include <nlohmann/json.hpp>

namespace sb::mgmt::rest {

http::response to_response(const api_error& e) {
  return http::response::error(e.status, e.message);
}

std::string input_text(const nlohmann::json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_null())
    return {};
  // Echoed input may hold invalid UTF-8 inside nested strings.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

api_error validation_failed(const std::vector<field_error>& errors) {
  std::string msg = "Validation failed.";
  bool first = true;
  for (const auto& fe : errors) {
    // The reference joins clauses with "; " (Role/API.pm validate_form).
    msg += first ? " " : "; ";
    first = false;
    msg += "field='" + fe.field + "', input='" + fe.input + "', errors='";
    for (std::size_t i = 0; i < fe.errors.size(); ++i) {
      if (i > 0)
        msg += ',';
      msg += fe.errors[i];
    }
    msg += "'";
  }
  return {422, std::move(msg)};
}

api_error bad_request(std::string message) {
  return {400, std::move(message)};
}

api_error malformed_entity(std::string_view media_type,
                           std::string_view detail) {
  return {400, "The entity is not a well-formed '" + std::string(media_type) +
                   "' document. " + std::string(detail)};
}

api_error missing_body() {
  return {400, "This request is missing a message body."};
}

api_error unauthorized(std::string message) {
  return {401, std::move(message)};
}

api_error forbidden(std::string message) {
  return {403, std::move(message)};
}

api_error not_found(std::string_view entity) {
  return {404, "Entity '" + std::string(entity) + "' not found."};
}

api_error unsupported_media_type(std::string_view got,
                                 std::string_view accepted) {
  return {415, "Unsupported media type '" +
                   std::string(got.empty() ? "undefined" : got) +
                   "', accepting " + std::string(accepted) + " only."};
}

api_error unprocessable(std::string_view detail) {
  return {422, "The entity could not be processed: " + std::string(detail)};
}

api_error internal_error() {
  return {500, "Internal Server Error"};
}

} // namespace sb::mgmt::rest
