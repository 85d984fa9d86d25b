// The simd backend's building blocks on their own: every int8 GEMM kernel this CPU runs against a
// naive evaluation of the FORMAT.md rule, the float GEMM, and the thread pool's task split.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backends/simd/float_gemm.hpp"
#include "backends/simd/int8_gemm.hpp"
#include "backends/simd/thread_pool.hpp"
#include "catch.hpp"

using namespace melgenre::simd;

namespace {

struct GemmCase {
  int taps, cin, cout, npix, in_zero, out_zero;
  bool relu;
};

// A padded "image" of npix pixels in a row with `taps` runs each: pixel p, tap t at (p * step + t * cp).
void check_int8_case(Int8Isa isa, const GemmCase& c, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127), b32(-5000, 5000);
  std::uniform_real_distribution<float> mu(0.0005f, 0.01f);
  const int cp = (c.cin + 3) & ~3;
  const int step = cp;  // pixels overlap their taps like a stride-1 conv row
  const int len = (c.npix + c.taps) * cp;
  std::vector<int8_t> x(len);
  for (auto& v : x) v = int8_t(q8(gen));
  // Channels beyond cin hold the zero point (what the backend's padding writes).
  for (int i = 0; i < len; ++i)
    if (i % cp >= c.cin) x[i] = int8_t(c.in_zero);
  std::vector<int8_t> w(size_t(c.cout) * c.taps * c.cin);
  for (auto& v : w) v = int8_t(w8(gen));
  std::vector<int32_t> bias(c.cout);
  for (auto& v : bias) v = b32(gen);
  std::vector<float> mult(c.cout);
  for (auto& v : mult) v = mu(gen);
  const int qmin = c.relu ? std::max(-128, c.out_zero) : -128;

  Int8GemmWeights pw = pack_int8_weights(isa, w.data(), c.cout, c.taps, c.cin, cp, bias.data(), mult.data(),
                                         c.in_zero, c.out_zero, qmin, 127);
  std::vector<int16_t> x16(len);
  std::vector<uint8_t> xu8(len);
  for (int i = 0; i < len; ++i) {
    x16[i] = int16_t(x[i] - c.in_zero);
    xu8[i] = uint8_t(int(x[i]) + 128);
  }
  const void* base = pw.family == Int8Family::i16 ? static_cast<const void*>(x16.data())
                                                  : static_cast<const void*>(xu8.data());
  std::vector<ptrdiff_t> taps(c.taps);
  for (int t = 0; t < c.taps; ++t) taps[t] = ptrdiff_t(t) * cp;
  const int out_stride = c.cout + 3;  // a stride wider than cout must leave the gap untouched
  std::vector<int8_t> out(size_t(c.npix) * out_stride, int8_t(99));
  int8_gemm(pw, base, step, c.npix, taps.data(), out.data(), out_stride);

  for (int p = 0; p < c.npix; ++p) {
    for (int o = 0; o < c.cout; ++o) {
      int32_t acc = bias[o];
      for (int t = 0; t < c.taps; ++t)
        for (int i = 0; i < c.cin; ++i)
          acc += (x[size_t(p) * step + size_t(t) * cp + i] - c.in_zero) * w[(size_t(o) * c.taps + t) * c.cin + i];
      const int8_t want = requantize_one(acc, mult[o], c.out_zero, qmin, 127);
      INFO("isa " << int8_isa_name(isa) << " taps " << c.taps << " cin " << c.cin << " cout " << c.cout << " pixel "
                  << p << " channel " << o);
      REQUIRE(int(out[size_t(p) * out_stride + o]) == int(want));
    }
    for (int o = c.cout; o < out_stride; ++o) REQUIRE(out[size_t(p) * out_stride + o] == 99);
  }
}

}  // namespace

TEST_CASE("every int8 GEMM kernel this CPU runs matches the naive requantised sum", "[simd]") {
  const Int8Isa all[] = {Int8Isa::scalar, Int8Isa::sse41, Int8Isa::avx2, Int8Isa::avxvnni, Int8Isa::wasm128};
  const GemmCase cases[] = {
      {1, 12, 64, 9, -128, -128, true},  {9, 64, 64, 7, -128, -5, false}, {15, 64, 64, 4, 3, -128, true},
      {1, 1, 1, 1, 0, 0, false},          {3, 5, 17, 5, 127, 10, false},   {2, 33, 40, 11, -7, 127, true},
      {4, 16, 16, 3, -128, 0, false},     {1, 300, 10, 6, 20, -20, false},
  };
  int tested = 0;
  for (Int8Isa isa : all) {
    if (!int8_isa_supported(isa)) continue;
    ++tested;
    uint32_t seed = 1;
    for (const auto& c : cases) check_int8_case(isa, c, seed++);
  }
  REQUIRE(tested >= 1);
  REQUIRE(int8_isa_supported(best_int8_isa()));
}

TEST_CASE("requantize_one rounds half away from zero and clamps", "[simd]") {
  REQUIRE(requantize_one(5, 0.5f, 0, -128, 127) == 3);     // 2.5 -> 3
  REQUIRE(requantize_one(-5, 0.5f, 0, -128, 127) == -3);   // -2.5 -> -3
  REQUIRE(requantize_one(3, 0.5f, 10, -128, 127) == 12);   // 1.5 -> 2, + 10
  REQUIRE(requantize_one(1000, 1.f, 0, -128, 127) == 127);
  REQUIRE(requantize_one(-1000, 1.f, 0, -128, 127) == -128);
  REQUIRE(requantize_one(-1000, 1.f, -20, -20, 127) == -20);  // relu floor at the zero point
  REQUIRE(requantize_one(2000000000, 1e30f, 0, -128, 127) == 127);
}

TEST_CASE("float GEMM matches a naive sum with bias and relu", "[simd]") {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int cout : {1, 5, 32, 45}) {
    const int taps = 3, cin = 7, npix = 6;
    std::vector<float> w(size_t(cout) * taps * cin), b(cout), x(size_t(npix + taps) * cin);
    for (auto& v : w) v = u(gen);
    for (auto& v : b) v = u(gen);
    for (auto& v : x) v = u(gen);
    for (bool relu : {false, true}) {
      FloatGemmWeights pw = pack_float_weights(w.data(), cout, taps, cin, b.data(), relu);
      std::vector<ptrdiff_t> off = {0, cin, 2 * cin};
      std::vector<float> out(size_t(npix) * cout);
      float_gemm(pw, x.data(), cin, npix, off.data(), out.data(), cout);
      for (int p = 0; p < npix; ++p)
        for (int o = 0; o < cout; ++o) {
          double acc = b[o];
          for (int t = 0; t < taps; ++t)
            for (int i = 0; i < cin; ++i) acc += double(x[size_t(p + t) * cin + i]) * w[(size_t(o) * taps + t) * cin + i];
          if (relu && acc < 0) acc = 0;
          REQUIRE(std::fabs(out[size_t(p) * cout + o] - acc) <= 1e-4 * (1 + std::fabs(acc)));
        }
    }
  }
}

TEST_CASE("thread pool runs every task exactly once", "[simd]") {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int tasks : {1, 2, 5, 100}) {
      std::vector<std::atomic<int>> hits(tasks);
      for (auto& h : hits) h = 0;
      std::atomic<bool> bad_thread{false};  // Catch's REQUIRE is not thread-safe: check afterwards
      pool.run(tasks, [&](int begin, int end, int tid) {
        if (tid < 0 || tid >= pool.threads()) bad_thread = true;
        for (int i = begin; i < end; ++i) hits[i]++;
      });
      REQUIRE(!bad_thread);
      for (auto& h : hits) REQUIRE(h.load() == 1);
    }
  }
}

// Whole networks through every kernel family this CPU runs (natively the i16 family of SSE4.1/AVX2 is
// the one WebAssembly uses): a small mel CNN in int8 (Cin = 1 row windows, fused conv + max pooling,
// im2col for Cin = 3, direct taps for Cin = 16, dense) against the reference backend, within 1 LSB.
#include "backends/simd/simd_backend.hpp"
#include "test_model_builder.hpp"

TEST_CASE("the simd backend matches reference with every int8 kernel ISA", "[simd]") {
  using namespace melgenre;
  using melgenre::test::OpSpec;
  struct Case {
    std::vector<int> shape;
    OpSpec spec;
  };
  const Case cases[] = {
      {{12, 10, 1}, OpSpec{LayerKind::conv2d, true, 20, 3, 3, 1, 1, 1, 1, 1, 1, Activation::relu, 1.f}},
      {{9, 7, 3}, OpSpec{LayerKind::conv2d, true, 17, 2, 3, 2, 1, 0, 1, 1, 0, Activation::none, 1.f}},
      {{6, 8, 16}, OpSpec{LayerKind::conv2d, true, 33, 3, 5, 1, 1, 1, 2, 1, 2, Activation::relu, 1.f}},
      {{5, 4, 6}, OpSpec{LayerKind::dense, true, 13, 1, 1, 1, 1, 0, 0, 0, 0, Activation::relu, 1.f}},
  };
  const Int8Isa all[] = {Int8Isa::scalar, Int8Isa::sse41, Int8Isa::avx2, Int8Isa::avxvnni, Int8Isa::wasm128};
  auto ref = create_backend("reference", BackendOptions{});
  REQUIRE(ref.ok());
  for (Int8Isa isa : all) {
    if (!int8_isa_supported(isa)) continue;
    for (int threads : {1, 2}) {
      auto backend = make_simd_backend_for_isa(threads, isa);
      uint32_t seed = 11;
      for (const Case& c : cases) {
        // The op, then a max pooling (fused into an int8 conv by the simd backend).
        Network net = melgenre::test::make_op_network(c.shape, c.spec, seed++);
        if (c.spec.kind == LayerKind::conv2d) {
          Layer pool;
          pool.kind = LayerKind::maxpool;
          pool.kernel_h = pool.stride_h = 2;
          pool.kernel_w = 2;
          pool.stride_w = 1;
          net.layers.insert(net.layers.end() - 1, pool);  // before the dequantize
        }
        float lsb = 0.f;
        for (const auto& l : net.layers)
          if (l.has_quant) lsb = l.quant.scale;
        const int batch = 3;
        auto want_net = (*ref)->compile(net, batch);
        auto got_net = backend->compile(net, batch);
        REQUIRE(want_net.ok());
        REQUIRE(got_net.ok());
        size_t n_in = 1;
        for (int d : c.shape) n_in *= size_t(d);
        const auto input = melgenre::test::random_input(n_in * batch, seed * 3);
        for (int b : {batch, 1}) {
          std::vector<float> want((*want_net)->output_size() * size_t(b)), got(want.size());
          REQUIRE((*want_net)->run(input.data(), b, want.data()).ok());
          REQUIRE((*got_net)->run(input.data(), b, got.data()).ok());
          float worst = 0.f;
          for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
          INFO("isa " << int8_isa_name(isa) << " threads " << threads << " case " << seed << " batch " << b);
          REQUIRE(worst <= lsb * 1.001f);
        }
      }
    }
  }
}
