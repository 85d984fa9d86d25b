#include "file_walk.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace melgenre::cli {

WalkResult expand_paths(const std::vector<std::string>& paths) {
  WalkResult r;
  for (const auto& p : paths) {
    if (p == "-") {
      r.files.push_back(p);
      continue;
    }
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      r.errors.push_back(p + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      r.files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      r.errors.push_back(p + ": cannot list directory: " + ec.message());
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        r.errors.push_back(p + ": " + ec.message());
        break;
      }
      const auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    r.files.insert(r.files.end(), found.begin(), found.end());
  }
  return r;
}

}  // namespace melgenre::cli
