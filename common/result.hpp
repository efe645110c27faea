#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sb {

/// An error as a value: a message meant for an operator (what failed and
/// why, with the file, key or address involved). Errors never cross an actor
/// boundary as exceptions.
struct error {
  std::string message;
};

/// Either a T or an error. Small stand-in for C++23 std::expected.
template <class T>
class [[nodiscard]] result {
public:
  result(T value)
      : v_(std::move(value)) {}
  result(error err)
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

  const sb::error& err() const {
    assert(!ok());
    return std::get<1>(v_);
  }

private:
  std::variant<T, sb::error> v_;
};

/// Success or an error, for operations that return nothing.
template <>
class [[nodiscard]] result<void> {
public:
  result() = default;
  result(error err)
      : err_(std::move(err))
      , failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const sb::error& err() const {
    assert(failed_);
    return err_;
  }

private:
  sb::error err_;
  bool failed_ = false;
};

using status = result<void>;

} // namespace sb
