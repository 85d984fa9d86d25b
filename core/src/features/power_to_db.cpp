// librosa.power_to_db in float32 arithmetic as numpy does it for a float32 array: the reference level is
// computed in float64 and rounded to float32 before the subtraction.
#include <algorithm>
#include <cmath>

#include "melgenre/features.hpp"

namespace melgenre {

void power_to_db(FeatureMatrix& s, DbReference ref, float amin, float top_db) {
  if (!(amin > 0.f)) amin = 1e-10f;  // librosa refuses amin <= 0; keep log10 finite instead
  float* x = s.data.data();
  const size_t n = s.data.size();
  if (n == 0) return;

  double ref_value = 1.0;
  if (ref == DbReference::max) ref_value = double(*std::max_element(x, x + n));
  const float ref_db = float(10.0 * std::log10(std::max(double(amin), ref_value)));

  float peak = -INFINITY;
  for (size_t i = 0; i < n; ++i) {
    const float db = 10.f * std::log10(std::max(amin, x[i])) - ref_db;
    x[i] = db;
    peak = std::max(peak, db);
  }
  if (top_db > 0.f) {
    const float floor_db = peak - top_db;
    for (size_t i = 0; i < n; ++i) x[i] = std::max(x[i], floor_db);
  }
}

}  // namespace melgenre
