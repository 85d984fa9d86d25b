// Test helper: reads a little-endian float32 C-order .npy file (the format of the librosa golden data).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace melgenre::test {

struct NpyArray {
  std::vector<size_t> shape;
  std::vector<float> data;
  std::string error;  // empty when the read succeeded
  size_t rows() const { return shape.size() > 0 ? shape[0] : 0; }
  size_t cols() const { return shape.size() > 1 ? shape[1] : 1; }
  float at(size_t r, size_t c) const { return data[r * cols() + c]; }
};

inline NpyArray read_npy_f32(const std::string& path) {
  NpyArray a;
  std::ifstream f(path, std::ios::binary);
  if (!f) return a.error = path + ": cannot open", a;
  char magic[8] = {};
  f.read(magic, 8);
  if (!f || std::memcmp(magic, "\x93NUMPY", 6) != 0) return a.error = path + ": not a .npy file", a;
  uint32_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    f.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    f.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  std::string header(header_len, '\0');
  f.read(&header[0], header_len);
  if (!f) return a.error = path + ": truncated header", a;
  if (header.find("'descr': '<f4'") == std::string::npos) return a.error = path + ": not float32", a;
  if (header.find("'fortran_order': False") == std::string::npos) return a.error = path + ": Fortran order", a;
  auto open = header.find("'shape': (");
  if (open == std::string::npos) return a.error = path + ": no shape", a;
  size_t pos = open + 10, count = 1;
  while (pos < header.size() && header[pos] != ')') {
    if (header[pos] >= '0' && header[pos] <= '9') {
      size_t end = pos;
      size_t v = std::stoull(header.substr(pos), &end);
      a.shape.push_back(v);
      count *= v;
      pos += end;
    } else {
      ++pos;
    }
  }
  a.data.resize(count);
  f.read(reinterpret_cast<char*>(a.data.data()), std::streamsize(count * sizeof(float)));
  if (!f) return a.error = path + ": truncated data", a;
  return a;
}

}  // namespace melgenre::test
