// Which model file the CLI uses: --model, else $MELGENRE_MODEL, else the shipped models/default.mgm
// found next to the binary (<exe dir>/models/ for an install, <exe dir>/../../models/ for
// build/<preset>/melgenre in a checkout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "args.hpp"
#include "input_bytes.hpp"
#include "melgenre/error.hpp"

namespace melgenre::cli {

Expected<std::string> resolve_model_path(const std::optional<std::string>& flag);

// Reads and checks the model named by --model or the default; errors name the file.
Expected<std::vector<uint8_t>> load_model_bytes(const std::optional<std::string>& flag);

// The model a classifying command (classify, eval) runs: its bytes, for run_tracks, its name and labels.
struct CommandModel {
  std::vector<uint8_t> bytes;
  std::string name;
  std::vector<std::string> labels;
};

// Checks --backend, then reads and parses --model (or the default). On failure prints
// "melgenre <command>: <reason>" to stderr, sets exit_code (usage or bad input) and returns nothing.
std::optional<CommandModel> open_command_model(const char* command, const Args& args, int& exit_code);

}  // namespace melgenre::cli
