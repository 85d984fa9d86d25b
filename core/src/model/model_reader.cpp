// load_model: header, checksum, meta grammar, tensor table and per-network consistency
// (models/FORMAT.md). Every refusal says what is wrong and where (header field or meta line).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "melgenre/model.hpp"
#include "model/crc32.hpp"
#include "model/model_text.hpp"
#include "model/network_shapes.hpp"

static_assert(sizeof(float) == 4, "float32 tensors");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files are little-endian; this reader assumes a little-endian host"
#endif

namespace melgenre {
namespace {

using namespace model_text;

// Limits that keep a hostile file from asking for absurd work or memory.
constexpr int kMaxLabels = 1000;
constexpr int kMaxNetworks = 64;
constexpr int kMaxLayers = 1000;
constexpr int kMaxSegmentFrames = 100000;

Error model_error(const std::string& what) { return make_error(Status::invalid_model, what); }

template <class T>
T read_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

bool parse_int(const std::string& s, long long lo, long long hi, long long& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_float(const std::string& s, float& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  float v = std::strtof(s.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  out = v;
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return parts;
}

// One meta line: a keyword, plain tokens and key=value tokens, with its line number for messages.
class Line {
 public:
  Line(int number, std::vector<std::string> tokens) : number_(number), tokens_(std::move(tokens)) {}

  int number() const { return number_; }
  const std::string& keyword() const { return tokens_[0]; }
  const std::vector<std::string>& tokens() const { return tokens_; }

  Error fail(const std::string& what) const {
    return model_error("model meta line " + std::to_string(number_) + " (" + keyword() + "): " + what);
  }

  // Splits tokens [first, end) into key=value pairs; every key must be in `allowed`, none repeated.
  Expected<std::map<std::string, std::string>> pairs(size_t first, const std::set<std::string>& allowed) const {
    std::map<std::string, std::string> kv;
    for (size_t i = first; i < tokens_.size(); ++i) {
      const auto& t = tokens_[i];
      auto eq = t.find('=');
      if (eq == std::string::npos || eq == 0) return fail("expected key=value, got '" + t + "'");
      std::string key = t.substr(0, eq);
      if (!allowed.count(key)) return fail("unknown field '" + key + "'");
      if (!kv.emplace(key, t.substr(eq + 1)).second) return fail("field '" + key + "' given twice");
    }
    return kv;
  }

 private:
  int number_;
  std::vector<std::string> tokens_;
};

// Typed access to a line's key=value fields, failing with the line's number.
class Fields {
 public:
  Fields(const Line& line, std::map<std::string, std::string> kv) : line_(line), kv_(std::move(kv)) {}

  bool has(const std::string& key) const { return kv_.count(key) != 0; }

  Expected<std::string> text(const std::string& key) const {
    auto it = kv_.find(key);
    if (it == kv_.end()) return line_.fail("missing field '" + key + "'");
    if (it->second.empty()) return line_.fail("field '" + key + "' is empty");
    return it->second;
  }
  Expected<long long> integer(const std::string& key, long long lo, long long hi) const {
    auto t = text(key);
    if (!t) return t.error();
    long long v = 0;
    if (!parse_int(*t, lo, hi, v))
      return line_.fail(key + "=" + *t + " is not an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }
  Expected<float> real(const std::string& key) const {
    auto t = text(key);
    if (!t) return t.error();
    float v = 0;
    if (!parse_float(*t, v)) return line_.fail(key + "=" + *t + " is not a finite number");
    return v;
  }
  // "a,b" or "a,b,c,d" integers in [lo, hi].
  Expected<std::vector<int>> int_list(const std::string& key, size_t count, long long lo, long long hi) const {
    auto t = text(key);
    if (!t) return t.error();
    auto parts = split(*t, ',');
    std::vector<int> out;
    for (const auto& p : parts) {
      long long v = 0;
      if (!parse_int(p, lo, hi, v)) break;
      out.push_back(int(v));
    }
    if (out.size() != count || parts.size() != count)
      return line_.fail(key + "=" + *t + " must be " + std::to_string(count) + " comma-separated integers in [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return out;
  }
  Expected<std::string> choice(const std::string& key, const std::vector<std::string>& options) const {
    auto t = text(key);
    if (!t) return t.error();
    for (const auto& o : options)
      if (*t == o) return *t;
    std::string list;
    for (const auto& o : options) list += (list.empty() ? "" : "|") + o;
    return line_.fail(key + "=" + *t + " must be one of " + list);
  }

 private:
  const Line& line_;
  std::map<std::string, std::string> kv_;
};

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char ch : s)
    if (ch <= ' ' || ch == '=' || ch == 0x7f) return false;
  return true;
}

class MetaParser {
 public:
  MetaParser(const uint8_t* data, size_t data_size) : data_(data), data_size_(data_size) {}

  Expected<Model> parse(const std::string& text) {
    if (text.find('\0') != std::string::npos) return model_error("model meta text contains a NUL byte");
    int number = 0;
    for (auto& raw : split(text, '\n')) {
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      std::vector<std::string> tokens;
      size_t i = 0;
      while (i < raw.size()) {
        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
        size_t j = i;
        while (j < raw.size() && raw[j] != ' ' && raw[j] != '\t') ++j;
        if (j > i) tokens.push_back(raw.substr(i, j - i));
        i = j;
      }
      if (tokens.empty() || tokens[0][0] == '#') continue;
      lines_.emplace_back(number, std::move(tokens));
    }
    pos_ = 0;
    if (auto r = parse_top(); !r) return r.error();
    return std::move(model_);
  }

 private:
  const Line* next() { return pos_ < lines_.size() ? &lines_[pos_++] : nullptr; }

  Expected<void> parse_top() {
    const Line* first = next();
    if (!first || first->keyword() != "melgenre-model")
      return model_error("model meta must start with 'melgenre-model " + std::to_string(kFormatVersion) + "'");
    if (first->tokens().size() != 2 || first->tokens()[1] != std::to_string(kFormatVersion))
      return first->fail("meta says format version '" + (first->tokens().size() > 1 ? first->tokens()[1] : "") +
                         "', this melgenre reads " + std::to_string(kFormatVersion));
    bool have_name = false, have_labels = false, have_networks = false;
    while (const Line* l = next()) {
      const auto& kw = l->keyword();
      const auto& t = l->tokens();
      if (kw == "info") {
        std::string rest;
        for (size_t i = 1; i < t.size(); ++i) rest += (i > 1 ? " " : "") + t[i];
        model_.info.push_back(rest);
      } else if (have_networks) {
        return l->fail("unexpected after the network blocks");
      } else if (kw == "name") {
        if (have_name) return l->fail("given twice");
        if (t.size() != 2 || !valid_name(t[1])) return l->fail("expects one name without whitespace or '='");
        model_.name = t[1];
        have_name = true;
      } else if (kw == "labels") {
        if (have_labels) return l->fail("given twice");
        long long n = 0;
        if (t.size() < 2 || !parse_int(t[1], 1, kMaxLabels, n))
          return l->fail("expects a count in [1, " + std::to_string(kMaxLabels) + "] then the labels");
        if (t.size() != size_t(n) + 2)
          return l->fail("says " + std::to_string(n) + " labels but lists " + std::to_string(t.size() - 2));
        std::set<std::string> seen;
        for (size_t i = 2; i < t.size(); ++i) {
          if (!valid_name(t[i])) return l->fail("label '" + t[i] + "' contains '='");
          if (!seen.insert(t[i]).second) return l->fail("label '" + t[i] + "' is repeated");
          model_.labels.push_back(t[i]);
        }
        have_labels = true;
      } else if (kw == "tensor") {
        if (auto r = parse_tensor(*l); !r) return r;
      } else if (kw == "networks") {
        if (!have_name) return l->fail("the model 'name' line must come first");
        if (!have_labels) return l->fail("the 'labels' line must come before the networks");
        if (auto r = check_tensor_overlap(); !r) return r;
        long long k = 0;
        if (t.size() != 2 || !parse_int(t[1], 1, kMaxNetworks, k))
          return l->fail("expects a count in [1, " + std::to_string(kMaxNetworks) + "]");
        for (long long i = 0; i < k; ++i)
          if (auto r = parse_network(*l, int(i)); !r) return r;
        have_networks = true;
      } else {
        return l->fail("unknown keyword (a newer model format?)");
      }
    }
    if (!have_networks) return model_error("model meta has no 'networks' section");
    return check_bundle();
  }

  Expected<void> parse_tensor(const Line& l) {
    if (l.tokens().size() < 2 || l.tokens()[1].find('=') != std::string::npos || !valid_name(l.tokens()[1]))
      return l.fail("expects a tensor name first");
    const std::string& name = l.tokens()[1];
    if (tensors_.count(name)) return l.fail("tensor '" + name + "' declared twice");
    auto kv = l.pairs(2, {"dtype", "shape", "offset"});
    if (!kv) return kv.error();
    Fields f(l, std::move(*kv));
    auto dtype = f.choice("dtype", {"f32", "i8", "i32"});
    if (!dtype) return dtype.error();
    auto shape_text = f.text("shape");
    if (!shape_text) return shape_text.error();
    auto offset = f.integer("offset", 0, 0x7fffffffffffffffLL);
    if (!offset) return offset.error();

    auto t = std::make_shared<Tensor>();
    t->name = name;
    t->dtype = *dtype == "f32" ? DType::f32 : *dtype == "i8" ? DType::i8 : DType::i32;
    size_t bytes = dtype_size(t->dtype);
    for (const auto& p : split(*shape_text, ',')) {
      long long d = 0;
      if (!parse_int(p, 1, 0x7fffffffLL, d)) return l.fail("shape=" + *shape_text + " must be positive integers d0,d1,...");
      if (t->shape.size() >= 8) return l.fail("shape has more than 8 dimensions");
      t->shape.push_back(int(d));
      if (bytes > data_size_ / size_t(d) + 1) return l.fail("tensor '" + name + "' is larger than the data section");
      bytes *= size_t(d);
    }
    if ((unsigned long long)*offset > (unsigned long long)data_size_)  // before narrowing to a 32-bit size_t (wasm)
      return l.fail("offset=" + std::to_string(*offset) + " lies outside the data section of " +
                    std::to_string(data_size_) + " bytes");
    size_t off = size_t(*offset);
    if (off % kAlignment) return l.fail("offset=" + std::to_string(off) + " is not a multiple of 64");
    if (off > data_size_ || bytes > data_size_ - off)
      return l.fail("tensor '" + name + "' (" + std::to_string(bytes) + " bytes at offset " + std::to_string(off) +
                    ") lies outside the data section of " + std::to_string(data_size_) + " bytes");
    extents_.push_back({off, off + bytes, name});

    const uint8_t* p = data_ + off;
    size_t n = t->count();
    switch (t->dtype) {
      case DType::f32:
        t->f32.resize(n);
        std::memcpy(t->f32.data(), p, bytes);
        for (float v : t->f32)
          if (!std::isfinite(v)) return l.fail("tensor '" + name + "' holds a non-finite value");
        break;
      case DType::i8:
        t->i8.resize(n);
        std::memcpy(t->i8.data(), p, bytes);
        break;
      case DType::i32:
        t->i32.resize(n);
        std::memcpy(t->i32.data(), p, bytes);
        break;
    }
    tensors_[name] = std::move(t);
    return {};
  }

  Expected<TensorPtr> tensor_ref(const Line& l, const Fields& f, const std::string& key) {
    auto name = f.text(key);
    if (!name) return name.error();
    auto it = tensors_.find(*name);
    if (it == tensors_.end()) return l.fail(key + "=" + *name + " names no declared tensor");
    return TensorPtr(it->second);
  }

  // mean=/std=: a float, or a 1-D f32 tensor of `columns` values.
  Expected<std::vector<float>> norm_values(const Line& l, const Fields& f, const std::string& key, int columns) {
    auto t = f.text(key);
    if (!t) return t.error();
    float v = 0;
    if (parse_float(*t, v)) return std::vector<float>{v};
    auto ref = tensor_ref(l, f, key);
    if (!ref) return ref.error();
    const Tensor& tensor = **ref;
    if (tensor.dtype != DType::f32 || tensor.shape != std::vector<int>{columns})
      return l.fail(key + " tensor '" + tensor.name + "' must be f32 of shape [" + std::to_string(columns) + "]");
    return tensor.f32;
  }

  Expected<void> parse_network(const Line& networks_line, int index) {
    const Line* head = next();
    if (!head) return networks_line.fail("says more networks than the meta holds (network " + std::to_string(index) + " missing)");
    if (head->keyword() != "network" || head->tokens().size() < 2 || head->tokens()[1].find('=') != std::string::npos)
      return head->fail("expected 'network <name> weight=<w>' (network " + std::to_string(index) + ")");
    Network net;
    net.name = head->tokens()[1];
    if (!valid_name(net.name)) return head->fail("invalid network name");
    for (const auto& other : model_.networks)
      if (other.name == net.name) return head->fail("network name '" + net.name + "' is repeated");
    {
      auto kv = head->pairs(2, {"weight"});
      if (!kv) return kv.error();
      Fields f(*head, std::move(*kv));
      auto w = f.real("weight");
      if (!w) return w.error();
      if (*w < 0) return head->fail("weight must be >= 0");
      net.weight = *w;
    }
    const Line* input_line = nullptr;
    const Line* recipe_line = nullptr;
    const Line* segment_line = nullptr;
    const Line* normalize_line = nullptr;
    bool have_layers = false;
    for (;;) {
      const Line* l = next();
      if (!l) return head->fail("network '" + net.name + "' is not closed by 'end'");
      const auto& kw = l->keyword();
      if (kw == "end") {
        if (l->tokens().size() != 1) return l->fail("takes no arguments");
        break;
      }
      if (have_layers) return l->fail("expected 'end' after the layers of network '" + net.name + "'");
      const Line** slot = kw == "input" ? &input_line : kw == "recipe" ? &recipe_line
                          : kw == "segment" ? &segment_line : kw == "normalize" ? &normalize_line : nullptr;
      if (slot) {
        if (*slot) return l->fail("given twice in network '" + net.name + "'");
        *slot = l;
        continue;
      }
      if (kw != "layers") return l->fail("unknown keyword in network '" + net.name + "'");
      long long count = 0;
      if (l->tokens().size() != 2 || !parse_int(l->tokens()[1], 1, kMaxLayers, count))
        return l->fail("expects a count in [1, " + std::to_string(kMaxLayers) + "]");
      for (long long i = 0; i < count; ++i) {
        const Line* ll = next();
        if (!ll || ll->keyword() == "end")
          return l->fail("says " + std::to_string(count) + " layers but network '" + net.name + "' has " + std::to_string(i));
        auto layer = parse_layer(*ll);
        if (!layer) return layer.error();
        net.layers.push_back(std::move(*layer));
      }
      have_layers = true;
    }
    if (!input_line) return head->fail("network '" + net.name + "' has no 'input' line");
    if (!normalize_line) return head->fail("network '" + net.name + "' has no 'normalize' line");
    if (!have_layers) return head->fail("network '" + net.name + "' has no 'layers'");

    auto kv = input_line->pairs(1, {"kind"});
    if (!kv) return kv.error();
    auto kind = Fields(*input_line, std::move(*kv)).choice("kind", {"mel", "summary57"});
    if (!kind) return kind.error();
    int columns = 57;
    if (*kind == "mel") {
      net.input = InputKind::mel;
      if (!recipe_line) return head->fail("mel network '" + net.name + "' has no 'recipe' line");
      if (!segment_line) return head->fail("mel network '" + net.name + "' has no 'segment' line");
      if (auto r = parse_recipe(*recipe_line, net.recipe); !r) return r;
      auto skv = segment_line->pairs(1, {"frames", "hop"});
      if (!skv) return skv.error();
      Fields sf(*segment_line, std::move(*skv));
      auto frames = sf.integer("frames", 1, kMaxSegmentFrames);
      if (!frames) return frames.error();
      auto hop = sf.integer("hop", 1, kMaxSegmentFrames);
      if (!hop) return hop.error();
      net.segment_frames = int(*frames);
      net.segment_hop = int(*hop);
      columns = net.input_shape()[1];
    } else {
      net.input = InputKind::summary57;
      if (recipe_line) return recipe_line->fail("a summary57 network takes no recipe");
      if (segment_line) return segment_line->fail("a summary57 network takes no segment");
    }
    auto nkv = normalize_line->pairs(1, {"mean", "std"});
    if (!nkv) return nkv.error();
    Fields nf(*normalize_line, std::move(*nkv));
    auto mean = norm_values(*normalize_line, nf, "mean", columns);
    if (!mean) return mean.error();
    auto sd = norm_values(*normalize_line, nf, "std", columns);
    if (!sd) return sd.error();
    for (float s : *sd)
      if (!(s > 0)) return normalize_line->fail("std values must be > 0");
    net.norm_mean = std::move(*mean);
    net.norm_std = std::move(*sd);

    auto acts = infer_activations(net);
    if (!acts) return model_error("model network '" + net.name + "': " + acts.error().message);
    const ActivationInfo& out = acts->back();
    if (net.layers.back().kind != LayerKind::softmax || out.int8 ||
        out.shape != std::vector<int>{int(model_.labels.size())})
      return model_error("model network '" + net.name + "': the last layer must be a float softmax over the " +
                         std::to_string(model_.labels.size()) + " labels");
    model_.networks.push_back(std::move(net));
    return {};
  }

  Expected<void> parse_recipe(const Line& l, FeatureRecipe& r) {
    auto kv = l.pairs(1, {"sample_rate", "kind", "n_fft", "hop", "center", "pad", "n_mels", "fmin", "fmax", "htk",
                          "db", "top_db", "n_mfcc"});
    if (!kv) return kv.error();
    Fields f(l, std::move(*kv));
    auto sr = f.integer("sample_rate", 1000, 384000);
    if (!sr) return sr.error();
    auto kind = f.choice("kind", {"mel", "mfcc"});
    if (!kind) return kind.error();
    auto n_fft = f.integer("n_fft", 16, 65536);
    if (!n_fft) return n_fft.error();
    auto hop = f.integer("hop", 1, 65536);
    if (!hop) return hop.error();
    auto center = f.integer("center", 0, 1);
    if (!center) return center.error();
    auto pad = f.choice("pad", {"constant", "reflect"});
    if (!pad) return pad.error();
    auto n_mels = f.integer("n_mels", 1, 1024);
    if (!n_mels) return n_mels.error();
    auto fmin = f.real("fmin");
    if (!fmin) return fmin.error();
    auto fmax = f.real("fmax");
    if (!fmax) return fmax.error();
    auto htk = f.integer("htk", 0, 1);
    if (!htk) return htk.error();
    auto db = f.choice("db", {"none", "ref1", "refmax"});
    if (!db) return db.error();
    auto top_db = f.real("top_db");
    if (!top_db) return top_db.error();
    r.kind = *kind == "mel" ? FeatureKind::mel : FeatureKind::mfcc;
    r.sample_rate = int(*sr);
    r.stft.n_fft = int(*n_fft);
    r.stft.hop = int(*hop);
    r.stft.center = *center == 1;
    r.stft.pad = *pad == "constant" ? PadMode::constant : PadMode::reflect;
    r.n_mels = int(*n_mels);
    r.fmin = *fmin;
    r.fmax = *fmax;
    r.htk = *htk == 1;
    r.db = *db == "none" ? DbMode::none : *db == "ref1" ? DbMode::ref1 : DbMode::refmax;
    r.top_db = *top_db > 0.f ? *top_db : 0.f;  // FORMAT: <= 0 disables the floor; FeatureRecipe spells that 0
    if (r.kind == FeatureKind::mfcc) {
      auto n_mfcc = f.integer("n_mfcc", 1, r.n_mels);
      if (!n_mfcc) return n_mfcc.error();
      r.n_mfcc = int(*n_mfcc);
    } else if (f.has("n_mfcc")) {
      return l.fail("n_mfcc is only for kind=mfcc");
    }
    if (r.fmin < 0 || (r.fmax > 0 && r.fmax <= r.fmin) || r.fmax > r.sample_rate / 2.0f)
      return l.fail("needs 0 <= fmin < fmax <= sample_rate/2 (fmax <= 0 means sample_rate/2)");
    return {};
  }

  Expected<Layer> parse_layer(const Line& l) {
    static const std::map<std::string, LayerKind> kinds = {
        {"conv2d", LayerKind::conv2d}, {"dense", LayerKind::dense}, {"batchnorm", LayerKind::batchnorm},
        {"relu", LayerKind::relu}, {"elu", LayerKind::elu}, {"maxpool", LayerKind::maxpool},
        {"avgpool", LayerKind::avgpool}, {"globalavgpool", LayerKind::globalavgpool},
        {"globalmaxpool", LayerKind::globalmaxpool}, {"flatten", LayerKind::flatten},
        {"softmax", LayerKind::softmax}, {"quantize", LayerKind::quantize}, {"dequantize", LayerKind::dequantize}};
    auto k = kinds.find(l.keyword());
    if (k == kinds.end()) return l.fail("unknown layer kind");
    Layer layer;
    layer.kind = k->second;
    std::set<std::string> allowed;
    switch (layer.kind) {
      case LayerKind::conv2d:
        allowed = {"weight", "bias", "kernel", "stride", "pad", "act", "weight_scale", "out_scale", "out_zero"};
        break;
      case LayerKind::dense: allowed = {"weight", "bias", "act", "weight_scale", "out_scale", "out_zero"}; break;
      case LayerKind::batchnorm: allowed = {"scale", "shift"}; break;
      case LayerKind::elu: allowed = {"alpha"}; break;
      case LayerKind::maxpool: allowed = {"kernel", "stride"}; break;
      case LayerKind::avgpool: allowed = {"kernel", "stride", "out_scale", "out_zero"}; break;
      case LayerKind::globalavgpool: allowed = {"out_scale", "out_zero"}; break;
      case LayerKind::quantize: allowed = {"scale", "zero"}; break;
      default: break;
    }
    auto kv = l.pairs(1, allowed);
    if (!kv) return kv.error();
    Fields f(l, std::move(*kv));

    if (layer.kind == LayerKind::conv2d || layer.kind == LayerKind::dense) {
      auto w = tensor_ref(l, f, "weight");
      if (!w) return w.error();
      layer.weight = *w;
      auto b = tensor_ref(l, f, "bias");
      if (!b) return b.error();
      layer.bias = *b;
      auto act = f.choice("act", {"none", "relu"});
      if (!act) return act.error();
      layer.act = *act == "relu" ? Activation::relu : Activation::none;
      bool int8 = layer.weight->dtype == DType::i8;
      if (int8) {
        auto ws = tensor_ref(l, f, "weight_scale");
        if (!ws) return ws.error();
        layer.weight_scale = *ws;
        if (auto r = out_quant(l, f, layer); !r) return r.error();
      } else if (f.has("weight_scale") || f.has("out_scale") || f.has("out_zero")) {
        return l.fail("weight_scale/out_scale/out_zero are only for i8 weights");
      }
    }
    if (layer.kind == LayerKind::conv2d || layer.kind == LayerKind::maxpool || layer.kind == LayerKind::avgpool) {
      auto kernel = f.int_list("kernel", 2, 1, 65536);
      if (!kernel) return kernel.error();
      auto stride = f.int_list("stride", 2, 1, 65536);
      if (!stride) return stride.error();
      layer.kernel_h = (*kernel)[0];
      layer.kernel_w = (*kernel)[1];
      layer.stride_h = (*stride)[0];
      layer.stride_w = (*stride)[1];
    }
    if (layer.kind == LayerKind::conv2d) {
      auto pad = f.int_list("pad", 4, 0, 65536);
      if (!pad) return pad.error();
      layer.pad_top = (*pad)[0];
      layer.pad_left = (*pad)[1];
      layer.pad_bottom = (*pad)[2];
      layer.pad_right = (*pad)[3];
    }
    if (layer.kind == LayerKind::batchnorm) {
      auto s = tensor_ref(l, f, "scale");
      if (!s) return s.error();
      auto h = tensor_ref(l, f, "shift");
      if (!h) return h.error();
      layer.scale = *s;
      layer.shift = *h;
    }
    if (layer.kind == LayerKind::elu) {
      auto a = f.real("alpha");
      if (!a) return a.error();
      layer.alpha = *a;
    }
    if ((layer.kind == LayerKind::avgpool || layer.kind == LayerKind::globalavgpool) &&
        (f.has("out_scale") || f.has("out_zero"))) {
      if (auto r = out_quant(l, f, layer); !r) return r.error();
    }
    if (layer.kind == LayerKind::quantize) {
      auto s = f.real("scale");
      if (!s) return s.error();
      auto z = f.integer("zero", -128, 127);
      if (!z) return z.error();
      if (!(*s > 0)) return l.fail("scale must be > 0");
      layer.quant = QuantParams{*s, int(*z)};
      layer.has_quant = true;
    }
    return layer;
  }

  Expected<void> out_quant(const Line& l, const Fields& f, Layer& layer) {
    auto s = f.real("out_scale");
    if (!s) return s.error();
    auto z = f.integer("out_zero", -128, 127);
    if (!z) return z.error();
    if (!(*s > 0)) return l.fail("out_scale must be > 0");
    layer.quant = QuantParams{*s, int(*z)};
    layer.has_quant = true;
    return {};
  }

  Expected<void> check_tensor_overlap() {
    std::sort(extents_.begin(), extents_.end(), [](const Extent& a, const Extent& b) { return a.start < b.start; });
    for (size_t i = 1; i < extents_.size(); ++i)
      if (extents_[i].start < extents_[i - 1].end)
        return model_error("model tensors '" + extents_[i - 1].name + "' and '" + extents_[i].name + "' overlap");
    return {};
  }

  Expected<void> check_bundle() {
    bool positive = false;
    for (const auto& n : model_.networks) positive = positive || n.weight > 0;
    if (!positive) return model_error("model network weights are all 0: at least one must be > 0");
    return {};
  }

  struct Extent {
    size_t start, end;
    std::string name;
  };

  const uint8_t* data_;
  size_t data_size_;
  std::vector<Line> lines_;
  size_t pos_ = 0;
  Model model_;
  std::map<std::string, std::shared_ptr<Tensor>> tensors_;
  std::vector<Extent> extents_;
};

}  // namespace

Expected<Model> load_model(const uint8_t* data, size_t size) {
  if (!data && size) return make_error(Status::invalid_argument, "load_model: null data");
  if (size < sizeof(kMagic) || std::memcmp(data, kMagic, sizeof(kMagic)) != 0)
    return model_error("not a melgenre model (the file does not start with MELGENRE)");
  if (size < kHeaderSize)
    return model_error("model file is truncated: " + std::to_string(size) + " bytes, the header alone needs 64");
  const uint32_t version = read_le<uint32_t>(data + 8);
  if (version != uint32_t(kFormatVersion))
    return model_error("model format version " + std::to_string(version) + ", this melgenre reads " +
                       std::to_string(kFormatVersion));
  const uint32_t header_size = read_le<uint32_t>(data + 12);
  const uint64_t file_size = read_le<uint64_t>(data + 16);
  const uint64_t meta_offset = read_le<uint64_t>(data + 24);
  const uint64_t meta_size = read_le<uint64_t>(data + 32);
  const uint64_t data_offset = read_le<uint64_t>(data + 40);
  const uint64_t data_size = read_le<uint64_t>(data + 48);
  const uint32_t stored_crc = read_le<uint32_t>(data + 56);
  const uint32_t reserved = read_le<uint32_t>(data + 60);
  if (header_size != kHeaderSize)
    return model_error("model header_size is " + std::to_string(header_size) + ", expected 64");
  if (file_size != size)
    return model_error(file_size > size ? "model file is truncated: the header says " + std::to_string(file_size) +
                                              " bytes, the file has " + std::to_string(size)
                                        : "model file has " + std::to_string(size - file_size) +
                                              " bytes after its end (the header says " + std::to_string(file_size) + ")");
  if (meta_offset != kHeaderSize)
    return model_error("model meta_offset is " + std::to_string(meta_offset) + ", expected 64");
  if (data_offset % kAlignment || data_offset > size)
    return model_error("model data_offset " + std::to_string(data_offset) + " is not a multiple of 64 within the file");
  if (meta_size == 0 || meta_size > data_offset - meta_offset)
    return model_error("model meta_size " + std::to_string(meta_size) + " does not fit between the header and data_offset " +
                       std::to_string(data_offset));
  if (data_size != size - data_offset)
    return model_error("model data_size " + std::to_string(data_size) + " does not reach the end of the file (" +
                       std::to_string(size - data_offset) + " bytes after data_offset)");
  if (reserved != 0) return model_error("model header reserved field is not 0 (a newer format?)");
  if (crc32(data + kHeaderSize, size - kHeaderSize) != stored_crc)
    return model_error("model file is corrupt (CRC-32 mismatch)");

  std::string meta(reinterpret_cast<const char*>(data + meta_offset), size_t(meta_size));
  MetaParser parser(data + data_offset, size_t(data_size));
  return parser.parse(meta);
}

}  // namespace melgenre
