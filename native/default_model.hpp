// Which model file the CLI uses: --model, else $MELGENRE_MODEL, else the shipped models/default.mgm
// found next to the binary (<exe dir>/models/ for an install, <exe dir>/../../models/ for
// build/<preset>/melgenre in a checkout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input_bytes.hpp"
#include "melgenre/error.hpp"

namespace melgenre::cli {

Expected<std::string> resolve_model_path(const std::optional<std::string>& flag);

// Reads and checks the model named by --model or the default; errors name the file.
Expected<std::vector<uint8_t>> load_model_bytes(const std::optional<std::string>& flag);

}  // namespace melgenre::cli
