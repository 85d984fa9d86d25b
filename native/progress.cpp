#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace melgenre::cli {

Progress::Progress(size_t total) : total_(total), enabled_(total > 1 && isatty(fileno(stderr))) {}

Progress::~Progress() { clear(); }

void Progress::update(size_t done, const std::string& label) {
  if (!enabled_) return;
  constexpr int kWidth = 30;
  const int filled = total_ ? int(done * kWidth / total_) : kWidth;
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, ' ');
  std::string name = label.size() > 40 ? "..." + label.substr(label.size() - 37) : label;
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %s", bar.c_str(), done, total_, name.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace melgenre::cli
