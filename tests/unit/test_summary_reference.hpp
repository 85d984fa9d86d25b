// Shared by the summary-row tests: the public GTZAN table's rows for the held-out clips (parity
// reference only) and a column-by-column comparison.
#pragma once

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "melgenre/summary.hpp"

namespace summary_test {

inline std::string data_dir() { return MELGENRE_DATA_DIR; }

// filename -> the 57 values (the `length` and `label` columns dropped); empty if the CSV is missing.
inline std::map<std::string, std::vector<double>> load_reference_rows() {
  std::map<std::string, std::vector<double>> rows;
  std::ifstream in(data_dir() + "/gtzan-features/features_30_sec.csv");
  std::string line;
  if (!std::getline(in, line)) return rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell, name;
    std::getline(ss, name, ',');
    std::getline(ss, cell, ',');  // length
    std::vector<double> values;
    while (std::getline(ss, cell, ',') && int(values.size()) < melgenre::kSummaryColumns)
      values.push_back(std::strtod(cell.c_str(), nullptr));
    if (int(values.size()) == melgenre::kSummaryColumns) rows[name] = values;
  }
  return rows;
}

inline std::string clip_path(const std::string& filename) {
  return data_dir() + "/gtzan-mini/genres/" + filename.substr(0, filename.find('.')) + "/" + filename;
}

inline bool file_exists(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::fclose(f);
  return true;
}

// Means of the harmonic and percussive waveforms sit near zero: compared absolutely.
inline bool near_zero_column(const std::string& name) { return name == "harmony_mean" || name == "perceptr_mean"; }

// Error of one value against the reference: relative, or absolute for the near-zero columns.
inline double column_error(const std::string& name, double got, double want) {
  if (near_zero_column(name)) return std::fabs(got - want);
  return std::fabs(got - want) / std::max(std::fabs(want), 1e-30);
}

}  // namespace summary_test
