// The analysis/synthesis window of librosa's STFT: scipy.signal.get_window('hann', n, fftbins=True).
#pragma once

#include <vector>

namespace melgenre {

// Periodic Hann window of length n in float64, computed as scipy does (a cosine over
// linspace(-pi, pi, n + 1), last point dropped) so the float32 cast matches librosa bit for bit.
std::vector<double> periodic_hann(int n);

}  // namespace melgenre
