// Errors as values at the core boundary: a status a program can branch on, a message a person can act on.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace melgenre {

enum class Status {
  ok = 0,
  invalid_argument,    // the caller asked for something impossible (bad parameter, empty input)
  unsupported_format,  // the bytes are not a format melgenre decodes
  corrupt_input,       // the format is recognised but the data is truncated, inconsistent or absurd
  io_error,            // the file could not be opened or read
  invalid_model,       // a model file is truncated, corrupt, of another version or inconsistent
  backend_unavailable, // the requested backend is not built in or has no device
  resource_limit,      // the input exceeds a configured limit (duration, size)
  internal,            // a bug in melgenre
};

const char* status_name(Status status);

struct Error {
  Status status = Status::internal;
  std::string message;
};

inline Error make_error(Status status, std::string message) { return Error{status, std::move(message)}; }

// Holds either a value or an Error. Accessing the wrong one is a programming error (asserted).
template <class T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : e_(std::move(error)) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *e_; }

 private:
  std::optional<Error> e_;
};

}  // namespace melgenre
