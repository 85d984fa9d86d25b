// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <cstddef>
#include <string>

namespace melgenre::cli {

class Progress {
 public:
  explicit Progress(size_t total);  // enabled when isatty(stderr) and total > 1
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(size_t done, const std::string& label);
  // Erases the bar so other stderr lines print cleanly; the next update redraws it.
  void clear();

 private:
  size_t total_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace melgenre::cli
