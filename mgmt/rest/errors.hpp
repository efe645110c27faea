#pragma once

#include "mgmt/http/message.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sb::mgmt::rest {

/// An API failure as a value: the HTTP status and the client-facing message.
/// Rendered as `{"code":status,"message":message}` by `to_response`. The
/// message may echo client input; it never carries internal details.
struct api_error {
  unsigned status = 500;
  std::string message;
};

/// Either a T or an `api_error`. Same shape as sb::result, but the error
/// carries an HTTP status so handlers can answer it directly.
template <class T>
class [[nodiscard]] api_result {
public:
  api_result(T value)
      : v_(std::move(value)) {}
  api_result(api_error err)
      : v_(std::move(err)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const api_error& err() const {
    assert(!ok());
    return std::get<1>(v_);
  }

private:
  std::variant<T, api_error> v_;
};

/// Success (holds nothing) or an `api_error`.
using api_status = api_result<std::monostate>;

/// The success value of an `api_status`.
inline api_status api_ok() {
  return std::monostate{};
}

/// `{"code":..,"message":..}` with Content-Type application/json.
http::response to_response(const api_error& e);

/// One invalid field of a representation.
struct field_error {
  std::string field;               ///< field name as in the JSON body
  std::string input;               ///< offending value, see `input_text`
  std::vector<std::string> errors; ///< one or more messages, in check order
};

/// How a value is echoed in a 422 message: strings raw, null as "" (as the
/// reference prints an undefined input), everything else as compact JSON.
std::string input_text(const nlohmann::json& value);

/// 422 "Validation failed. field='a', input='x', errors='e1,e2'; field=..."
/// One clause per element of `errors` in the given order, clauses joined by
/// "; " and a field's messages by ",". Precondition: `errors` non-empty.
api_error validation_failed(const std::vector<field_error>& errors);

/// 400 with `message` verbatim.
api_error bad_request(std::string message);

/// 400 "The entity is not a well-formed '<media_type>' document. <detail>"
api_error malformed_entity(std::string_view media_type,
                           std::string_view detail);

/// 400 "This request is missing a message body."
api_error missing_body();

/// 401 with `message` (default "Unauthorized").
api_error unauthorized(std::string message = "Unauthorized");

/// 403 with `message` (default "Forbidden!").
api_error forbidden(std::string message = "Forbidden!");

/// 404 "Entity '<entity>' not found." `entity` is the resource's item name,
/// e.g. "domain".
api_error not_found(std::string_view entity);

/// 415 "Unsupported media type '<got>', accepting <accepted> only." An absent
/// Content-Type is reported as 'undefined'.
api_error unsupported_media_type(std::string_view got,
                                 std::string_view accepted);

/// 422 "The entity could not be processed: <detail>"
api_error unprocessable(std::string_view detail);

/// 500 "Internal Server Error"; details belong in the log only.
api_error internal_error();

} // namespace sb::mgmt::rest
