#include "melgenre/error.hpp"

namespace melgenre {

const char* status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::invalid_argument: return "invalid argument";
    case Status::unsupported_format: return "unsupported format";
    case Status::corrupt_input: return "corrupt input";
    case Status::io_error: return "I/O error";
    case Status::invalid_model: return "invalid model";
    case Status::backend_unavailable: return "backend unavailable";
    case Status::resource_limit: return "resource limit";
    case Status::internal: return "internal error";
  }
  return "unknown";
}

}  // namespace melgenre
