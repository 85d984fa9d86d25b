// save_model: the C++ twin of tools/train/mgm.py (models/FORMAT.md, version 1). Tensors are written
// once each (shared pointers are deduplicated), 64-byte aligned, in the order layers name them.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "melgenre/model.hpp"
#include "model/crc32.hpp"
#include "model/model_text.hpp"

namespace melgenre {
namespace {

using namespace model_text;

std::string num(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  return buf;
}

size_t align_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

template <class T>
void put_le(std::vector<uint8_t>& out, size_t at, T v) {
  std::memcpy(out.data() + at, &v, sizeof(T));
}

class TensorTable {
 public:
  // Returns the name under which `t` is written (made unique if empty or taken by another tensor).
  std::string add(const TensorPtr& t) {
    auto it = names_.find(t.get());
    if (it != names_.end()) return it->second;
    std::string name = t->name;
    if (name.empty() || taken_.count(name)) {
      for (int k = int(order_.size());; ++k) {
        name = "t" + std::to_string(k);
        if (!taken_.count(name)) break;
      }
    }
    taken_.insert(name);
    names_[t.get()] = name;
    order_.push_back({t, name});
    return name;
  }

  std::string add_floats(const std::string& wanted, const std::vector<float>& values) {
    auto t = std::make_shared<Tensor>();
    t->name = wanted;
    t->dtype = DType::f32;
    t->shape = {int(values.size())};
    t->f32 = values;
    owned_.push_back(t);
    return add(t);
  }

  struct Entry {
    TensorPtr tensor;
    std::string name;
  };
  const std::vector<Entry>& entries() const { return order_; }

 private:
  std::map<const Tensor*, std::string> names_;
  std::set<std::string> taken_;
  std::vector<Entry> order_;
  std::vector<TensorPtr> owned_;
};

std::string quant_tokens(const QuantParams& q) {
  return " out_scale=" + num(q.scale) + " out_zero=" + std::to_string(q.zero);
}

std::string layer_line(const Layer& l, TensorTable& table) {
  std::string s = layer_kind_name(l.kind);
  auto window = [&] {
    s += " kernel=" + std::to_string(l.kernel_h) + "," + std::to_string(l.kernel_w) + " stride=" +
         std::to_string(l.stride_h) + "," + std::to_string(l.stride_w);
  };
  switch (l.kind) {
    case LayerKind::conv2d:
    case LayerKind::dense:
      s += " weight=" + (l.weight ? table.add(l.weight) : std::string("?"));
      s += " bias=" + (l.bias ? table.add(l.bias) : std::string("?"));
      if (l.kind == LayerKind::conv2d) {
        window();
        s += " pad=" + std::to_string(l.pad_top) + "," + std::to_string(l.pad_left) + "," + std::to_string(l.pad_bottom) +
             "," + std::to_string(l.pad_right);
      }
      s += std::string(" act=") + (l.act == Activation::relu ? "relu" : "none");
      if (l.weight && l.weight->dtype == DType::i8) {
        s += " weight_scale=" + (l.weight_scale ? table.add(l.weight_scale) : std::string("?"));
        s += quant_tokens(l.quant);
      }
      break;
    case LayerKind::batchnorm:
      s += " scale=" + (l.scale ? table.add(l.scale) : std::string("?"));
      s += " shift=" + (l.shift ? table.add(l.shift) : std::string("?"));
      break;
    case LayerKind::elu: s += " alpha=" + num(l.alpha); break;
    case LayerKind::maxpool: window(); break;
    case LayerKind::avgpool:
      window();
      if (l.has_quant) s += quant_tokens(l.quant);
      break;
    case LayerKind::globalavgpool:
      if (l.has_quant) s += quant_tokens(l.quant);
      break;
    case LayerKind::quantize: s += " scale=" + num(l.quant.scale) + " zero=" + std::to_string(l.quant.zero); break;
    default: break;
  }
  return s;
}

std::string recipe_line(const FeatureRecipe& r) {
  std::string s = "recipe sample_rate=" + std::to_string(r.sample_rate) + " kind=" + feature_kind_token(r.kind) +
                  " n_fft=" + std::to_string(r.stft.n_fft) + " hop=" + std::to_string(r.stft.hop) +
                  " center=" + (r.stft.center ? "1" : "0") + " pad=" + pad_token(r.stft.pad) +
                  " n_mels=" + std::to_string(r.n_mels) + " fmin=" + num(r.fmin) + " fmax=" + num(r.fmax) +
                  " htk=" + (r.htk ? "1" : "0") + " db=" + db_token(r.db) + " top_db=" + num(r.top_db);
  if (r.kind == FeatureKind::mfcc) s += " n_mfcc=" + std::to_string(r.n_mfcc);
  return s;
}

}  // namespace

std::vector<uint8_t> save_model(const Model& model) {
  TensorTable table;
  std::string body;  // everything after the tensor lines
  body += "networks " + std::to_string(model.networks.size()) + "\n";
  for (const auto& n : model.networks) {
    body += "network " + n.name + " weight=" + num(n.weight) + "\n";
    body += std::string("input kind=") + (n.input == InputKind::mel ? "mel" : "summary57") + "\n";
    if (n.input == InputKind::mel) {
      body += recipe_line(n.recipe) + "\n";
      body += "segment frames=" + std::to_string(n.segment_frames) + " hop=" + std::to_string(n.segment_hop) + "\n";
    }
    auto norm = [&](const char* what, const std::vector<float>& v) {
      if (v.size() == 1) return num(v[0]);
      return table.add_floats(n.name + "." + what, v);
    };
    body += "normalize mean=" + norm("norm_mean", n.norm_mean) + " std=" + norm("norm_std", n.norm_std) + "\n";
    body += "layers " + std::to_string(n.layers.size()) + "\n";
    for (const auto& l : n.layers) body += "  " + layer_line(l, table) + "\n";
    body += "end\n";
  }

  std::string meta = "melgenre-model " + std::to_string(kFormatVersion) + "\n";
  meta += "name " + model.name + "\n";
  meta += "labels " + std::to_string(model.labels.size());
  for (const auto& l : model.labels) meta += " " + l;
  meta += "\n";
  for (const auto& i : model.info) meta += "info " + i + "\n";
  size_t data_size = 0;
  std::vector<size_t> offsets;
  for (const auto& e : table.entries()) {
    const Tensor& t = *e.tensor;
    offsets.push_back(data_size);
    meta += "tensor " + e.name + " dtype=" + dtype_token(t.dtype) + " shape=";
    for (size_t i = 0; i < t.shape.size(); ++i) meta += (i ? "," : "") + std::to_string(t.shape[i]);
    meta += " offset=" + std::to_string(data_size) + "\n";
    data_size = align_up(data_size + t.count() * dtype_size(t.dtype));
  }
  meta += body;

  const size_t data_offset = align_up(kHeaderSize + meta.size());
  std::vector<uint8_t> out(data_offset + data_size, 0);
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  put_le<uint32_t>(out, 8, uint32_t(kFormatVersion));
  put_le<uint32_t>(out, 12, uint32_t(kHeaderSize));
  put_le<uint64_t>(out, 16, uint64_t(out.size()));
  put_le<uint64_t>(out, 24, uint64_t(kHeaderSize));
  put_le<uint64_t>(out, 32, uint64_t(meta.size()));
  put_le<uint64_t>(out, 40, uint64_t(data_offset));
  put_le<uint64_t>(out, 48, uint64_t(data_size));
  std::memcpy(out.data() + kHeaderSize, meta.data(), meta.size());
  for (size_t i = 0; i < table.entries().size(); ++i) {
    const Tensor& t = *table.entries()[i].tensor;
    uint8_t* dst = out.data() + data_offset + offsets[i];
    size_t n = t.count();
    // Copy only what the tensor really holds (a malformed test tensor must not read past its vector).
    switch (t.dtype) {
      case DType::f32: std::memcpy(dst, t.f32.data(), std::min(n, t.f32.size()) * 4); break;
      case DType::i8: std::memcpy(dst, t.i8.data(), std::min(n, t.i8.size())); break;
      case DType::i32: std::memcpy(dst, t.i32.data(), std::min(n, t.i32.size()) * 4); break;
    }
  }
  put_le<uint32_t>(out, 56, crc32(out.data() + kHeaderSize, out.size() - kHeaderSize));
  put_le<uint32_t>(out, 60, 0u);
  return out;
}

}  // namespace melgenre
