#include "npy.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace melgenre::cli {

namespace {
bool little_endian() {
  const uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}
}  // namespace

std::string npy_header_f32(const std::vector<size_t>& shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  // magic(6) + version(2) + length(2) + dict + padding + '\n' is a multiple of 64.
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += char(dict.size() & 0xff);
  header += char((dict.size() >> 8) & 0xff);
  return header + dict;
}

Expected<void> write_npy_f32(std::FILE* out, const std::string& name, const float* data,
                             const std::vector<size_t>& shape) {
  if (!little_endian()) return make_error(Status::internal, name + ": .npy writer needs a little-endian host");
  size_t count = 1;
  for (size_t d : shape) count *= d;
  const std::string header = npy_header_f32(shape);
  if (std::fwrite(header.data(), 1, header.size(), out) != header.size() ||
      (count && std::fwrite(data, sizeof(float), count, out) != count) || std::fflush(out) != 0)
    return make_error(Status::io_error, name + ": write failed (" + std::strerror(errno) + ")");
  return {};
}

Expected<void> write_npy_f32(const std::string& path, const float* data, const std::vector<size_t>& shape) {
  if (path == "-") return write_npy_f32(stdout, "<stdout>", data, shape);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return make_error(Status::io_error, path + ": cannot create (" + std::strerror(errno) + ")");
  auto st = write_npy_f32(f, path, data, shape);
  if (std::fclose(f) != 0 && st.ok())
    return make_error(Status::io_error, path + ": write failed (" + std::strerror(errno) + ")");
  return st;
}

Expected<void> write_feature_matrix_npy(const std::string& path, const FeatureMatrix& m) {
  std::vector<float> transposed(m.data.size());
  const size_t frames = size_t(m.n_frames), bins = size_t(m.n_bins);
  for (size_t t = 0; t < frames; ++t)
    for (size_t b = 0; b < bins; ++b) transposed[b * frames + t] = m.data[t * bins + b];
  return write_npy_f32(path, transposed.data(), {bins, frames});
}

}  // namespace melgenre::cli
