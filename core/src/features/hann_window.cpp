#include "features/hann_window.hpp"

#include <cmath>

namespace melgenre {

std::vector<double> periodic_hann(int n) {
  std::vector<double> w(n > 0 ? size_t(n) : 0);
  if (n == 1) {
    w[0] = 1.0;  // scipy: a length-1 window is [1]
    return w;
  }
  const double pi = 3.14159265358979323846;
  const double step = 2.0 * pi / double(n);  // linspace(-pi, pi, n + 1)
  for (int k = 0; k < n; ++k) w[size_t(k)] = 0.5 + 0.5 * std::cos(double(k) * step + -pi);
  return w;
}

}  // namespace melgenre
