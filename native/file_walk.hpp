// Expands command-line paths into audio files: files as given, directories walked recursively in a
// stable (sorted) order, "-" passed through for stdin.
#pragma once

#include <string>
#include <vector>

namespace melgenre::cli {

struct WalkResult {
  std::vector<std::string> files;
  std::vector<std::string> errors;  // "PATH: reason" for paths that do not exist or cannot be listed
};

// Directories keep only files whose name does not start with '.'; the content decides the format later.
WalkResult expand_paths(const std::vector<std::string>& paths);

}  // namespace melgenre::cli
