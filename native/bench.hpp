// Shared benchmark plumbing: repeat a callable, report median and spread.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace melgenre::cli {

int run_bench_features(int argc, char** argv);  // bench_features.cpp
int run_bench_summary(int argc, char** argv);   // bench_summary.cpp
int run_bench_model(int argc, char** argv);     // bench_model.cpp

struct Timing {
  double median_ms = 0, min_ms = 0, max_ms = 0, p10_ms = 0, p90_ms = 0;
  int runs = 0;
};

// Runs fn once to warm up, then `runs` times (at least) and at least `min_seconds` in total.
inline Timing time_runs(const std::function<void()>& fn, int runs = 10, double min_seconds = 0.5) {
  using clock = std::chrono::steady_clock;
  fn();
  std::vector<double> ms;
  auto start = clock::now();
  while (int(ms.size()) < runs || std::chrono::duration<double>(clock::now() - start).count() < min_seconds) {
    auto t0 = clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    if (ms.size() >= 10000) break;
  }
  std::sort(ms.begin(), ms.end());
  auto pick = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * (ms.size() - 1) + 0.5))]; };
  return Timing{pick(0.5), ms.front(), ms.back(), pick(0.1), pick(0.9), int(ms.size())};
}

}  // namespace melgenre::cli
