// The model loader: round trip, and every kind of bad file refused with its message, never a crash
// (run this file under -DMELGENRE_SANITIZE=ON too).
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "catch.hpp"
#include "melgenre/model.hpp"
#include "model/crc32.hpp"
#include "test_model_builder.hpp"

using namespace melgenre;

namespace {

template <class T>
void put(std::vector<uint8_t>& f, size_t at, T v) {
  std::memcpy(f.data() + at, &v, sizeof(T));
}
template <class T>
T get(const std::vector<uint8_t>& f, size_t at) {
  T v;
  std::memcpy(&v, f.data() + at, sizeof(T));
  return v;
}

void fix_crc(std::vector<uint8_t>& f) { put<uint32_t>(f, 56, crc32(f.data() + 64, f.size() - 64)); }

std::string meta_of(const std::vector<uint8_t>& f) {
  return std::string(reinterpret_cast<const char*>(f.data() + 64), size_t(get<uint64_t>(f, 32)));
}

// A file with the same tensor data as `f` and the given meta text (header and CRC recomputed).
std::vector<uint8_t> with_meta(const std::vector<uint8_t>& f, const std::string& meta) {
  const size_t old_data_offset = size_t(get<uint64_t>(f, 40));
  const size_t data_size = size_t(get<uint64_t>(f, 48));
  const size_t data_offset = (64 + meta.size() + 63) / 64 * 64;
  std::vector<uint8_t> out(data_offset + data_size, 0);
  std::memcpy(out.data(), f.data(), 64);
  std::memcpy(out.data() + 64, meta.data(), meta.size());
  std::memcpy(out.data() + data_offset, f.data() + old_data_offset, data_size);
  put<uint64_t>(out, 16, out.size());
  put<uint64_t>(out, 32, meta.size());
  put<uint64_t>(out, 40, data_offset);
  fix_crc(out);
  return out;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

std::string load_error(const std::vector<uint8_t>& f) {
  auto m = load_model(f.data(), f.size());
  if (m) return "";
  CHECK(m.error().status == Status::invalid_model);
  return m.error().message;
}

Model bundle_model() {
  Model m = test::make_cnn_model(3, /*int8=*/true);
  m.networks.push_back(test::make_cnn_network("cnn_f32", test::test_recipe(DbMode::refmax), 24, 12, 10, 4));
  m.networks.back().weight = 0.5f;
  m.networks.push_back(test::make_summary_network("mlp", 10, 5));
  m.networks.back().weight = 2.f;
  return m;
}

}  // namespace

TEST_CASE("save/load round trip keeps every field") {
  for (const Model& original : {test::make_cnn_model(1), test::make_cnn_model(2, true), bundle_model()}) {
    auto bytes = save_model(original);
    REQUIRE(bytes.size() % 64 == 0);
    auto loaded = load_model(bytes.data(), bytes.size());
    REQUIRE(loaded.ok());
    CHECK(loaded->name == original.name);
    CHECK(loaded->labels == original.labels);
    CHECK(loaded->info == original.info);
    REQUIRE(loaded->networks.size() == original.networks.size());
    for (size_t i = 0; i < original.networks.size(); ++i) {
      const Network& a = original.networks[i];
      const Network& b = loaded->networks[i];
      CHECK(a.name == b.name);
      CHECK(a.weight == b.weight);
      CHECK(a.input_shape() == b.input_shape());
      CHECK(a.norm_mean == b.norm_mean);
      CHECK(a.norm_std == b.norm_std);
      CHECK(a.segment_frames == b.segment_frames);
      CHECK(a.segment_hop == b.segment_hop);
      CHECK(a.recipe.db == b.recipe.db);
      CHECK(a.recipe.fmax == b.recipe.fmax);
      REQUIRE(a.layers.size() == b.layers.size());
      for (size_t k = 0; k < a.layers.size(); ++k) {
        CHECK(a.layers[k].kind == b.layers[k].kind);
        CHECK(a.layers[k].quant.scale == b.layers[k].quant.scale);
        CHECK(a.layers[k].quant.zero == b.layers[k].quant.zero);
        if (a.layers[k].weight) {
          CHECK(a.layers[k].weight->f32 == b.layers[k].weight->f32);
          CHECK(a.layers[k].weight->i8 == b.layers[k].weight->i8);
          CHECK(a.layers[k].bias->i32 == b.layers[k].bias->i32);
        }
      }
    }
    // Byte-identical when written again.
    CHECK(save_model(*loaded) == bytes);
  }
}

TEST_CASE("every flipped byte is refused or still loads the same model") {
  const auto good = save_model(test::make_cnn_model(7, true, DbMode::ref1, 8, 4));
  int refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    auto f = good;
    f[i] ^= 0x5A;
    auto m = load_model(f.data(), f.size());
    if (!m) {
      ++refused;
      CHECK(m.error().status == Status::invalid_model);
      CHECK_FALSE(m.error().message.empty());
    } else {
      CHECK(save_model(*m) == good);
    }
  }
  CHECK(refused == int(good.size()));  // the CRC covers everything after the header
}

TEST_CASE("a meta byte changed behind a valid CRC never crashes the parser") {
  const auto good = save_model(test::make_cnn_model(8, true, DbMode::ref1, 8, 4));
  const size_t meta_size = size_t(get<uint64_t>(good, 32));
  const uint8_t replacements[] = {' ', '\n', '=', ',', '0', '9', '-', 'x', 0x00, 0xFF};
  int accepted = 0;
  for (size_t i = 64; i < 64 + meta_size; ++i)
    for (uint8_t r : replacements) {
      if (good[i] == r) continue;
      auto f = good;
      f[i] = r;
      fix_crc(f);
      auto m = load_model(f.data(), f.size());
      if (m) ++accepted;
      else CHECK(m.error().status == Status::invalid_model);
    }
  // Some edits are harmless (a digit of a float, an extra space); most are refused.
  CHECK(accepted < int(meta_size) * 4);
}

TEST_CASE("every truncation is refused") {
  const auto good = save_model(test::make_cnn_model(9, false, DbMode::ref1, 8, 4));
  for (size_t n = 0; n < good.size(); ++n) {
    auto m = load_model(good.data(), n);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().status == Status::invalid_model);
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  CHECK(load_error(longer).find("after its end") != std::string::npos);
}

TEST_CASE("header errors have their own messages") {
  const auto good = save_model(test::make_cnn_model(10));
  auto f = good;
  f[0] = 'X';
  CHECK(load_error(f).find("not a melgenre model") != std::string::npos);
  f = good;
  put<uint32_t>(f, 8, 2);
  CHECK(load_error(f) == "model format version 2, this melgenre reads 1");
  f = good;
  put<uint64_t>(f, 16, good.size() + 64);
  CHECK(load_error(f).find("truncated") != std::string::npos);
  f = good;
  put<uint64_t>(f, 40, get<uint64_t>(f, 40) + 1);
  CHECK(load_error(f).find("data_offset") != std::string::npos);
  f = good;
  f[good.size() - 1] ^= 1;
  CHECK(load_error(f).find("corrupt") != std::string::npos);
  f = good;
  put<uint32_t>(f, 60, 1);
  CHECK(load_error(f).find("reserved") != std::string::npos);
  CHECK(load_error(std::vector<uint8_t>(good.begin(), good.begin() + 40)).find("truncated") != std::string::npos);
}

TEST_CASE("inconsistent meta is refused with a message naming the problem") {
  const auto good = save_model(test::make_cnn_model(11));
  const std::string meta = meta_of(good);
  REQUIRE(load_error(with_meta(good, meta)).empty());  // the reassembly itself is sound
  struct Case {
    std::string from, to, expect;
  };
  const std::vector<Case> cases = {
      {"melgenre-model 1", "melgenre-model 2", "format version '2'"},
      {"labels 10 ", "labels 11 ", "says 11 labels but lists 10"},
      {"labels 10 blues", "labels 10 rock", "label 'rock' is repeated"},
      {"labels 10 blues", "labels 11 folk blues", "softmax over the 11 labels"},
      {"networks 1", "networks 2", "network 1 missing"},
      {"weight=1", "weight=-1", "weight must be >= 0"},
      {"weight=1", "weight=0", "all 0"},
      {"weight=cnn.conv_w", "weight=nope", "names no declared tensor"},
      {"shape=4,3,3,1", "shape=2,3,3,2", "input channels"},
      {"shape=4,3,3,1", "shape=8,3,3,1", "overlap"},
      {"offset=0\n", "offset=1\n", "not a multiple of 64"},
      {"offset=0\n", "offset=6400000\n", "outside the data section"},
      {"std=20", "std=0", "std values must be > 0"},
      {"std=20", "std=cnn.conv_b", "must be f32 of shape [16]"},
      {"layers 5", "layers 6", "says 6 layers"},
      {"layers 5", "layers 4", "expected 'end'"},
      {"softmax", "relu", "last layer must be a float softmax"},
      {"maxpool kernel=2,2", "maxpool kernel=2,2,2", "comma-separated"},
      {"maxpool kernel=2,2", "maxpool kernel=99,2", "does not fit"},
      {"act=relu", "act=gelu", "act=gelu must be one of none|relu"},
      {"conv2d ", "conv3d ", "unknown layer kind"},
      {"dense ", "dense foo=1 ", "unknown field 'foo'"},
      {"n_fft=512", "n_fft=abc", "n_fft=abc is not an integer"},
      {"db=ref1", "db=ref2", "db=ref2 must be one of"},
      {"fmax=11025", "fmax=20000", "fmax"},
      {"segment frames=32", "segment frames=0", "frames=0"},
      {"input kind=mel", "input kind=summary57", "takes no recipe"},
      {"name test-cnn", "name test-cnn\nsurprise 1", "unknown keyword"},
      {"end", "end\nend", "unexpected after the network blocks"},
      {"dtype=f32", "dtype=f64", "dtype=f64 must be one of"},
  };
  for (const auto& c : cases) {
    INFO(c.from << " -> " << c.to);
    std::string e = load_error(with_meta(good, replaced(meta, c.from, c.to)));
    INFO(e);
    CHECK(e.find(c.expect) != std::string::npos);
    CHECK(e.find("model") == 0);  // every message says it is about the model
  }
}

TEST_CASE("int8 layers need their quantisation parameters") {
  const auto good = save_model(test::make_cnn_model(12, true));
  const std::string meta = meta_of(good);
  REQUIRE(load_error(good).empty());
  CHECK(load_error(with_meta(good, replaced(meta, "dequantize\n", "relu\n"))).find("float only") != std::string::npos);
  CHECK(load_error(with_meta(good, replaced(meta, "quantize scale=", "quantize zero=0 scale=")))
            .find("given twice") != std::string::npos);
  std::string m2 = meta;
  auto p = m2.find(" out_scale=");
  REQUIRE(p != std::string::npos);
  auto e = m2.find(' ', p + 1);
  m2.erase(p, e - p);
  CHECK(load_error(with_meta(good, m2)).find("missing field 'out_scale'") != std::string::npos);
}

TEST_CASE("non-finite float tensors are refused") {
  auto f = save_model(test::make_cnn_model(13));
  const size_t data_offset = size_t(get<uint64_t>(f, 40));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(f.data() + data_offset, &nan, 4);
  fix_crc(f);
  CHECK(load_error(f).find("non-finite") != std::string::npos);
}
