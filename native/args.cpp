#include "args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace melgenre::cli {

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(const std::string& name, const std::string& fallback) const {
  auto v = value(name);
  return v ? *v : fallback;
}

Expected<int> Args::int_or(const std::string& name, int fallback, int lo, int hi) const {
  auto v = value(name);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE || n < lo || n > hi)
    return make_error(Status::invalid_argument, "--" + name + " expects an integer in [" + std::to_string(lo) +
                                                    ", " + std::to_string(hi) + "], got '" + *v + "'");
  return int(n);
}

Expected<double> Args::number_or(const std::string& name, double fallback, double lo, double hi) const {
  auto v = value(name);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  const double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || errno == ERANGE || !std::isfinite(x) || x < lo || x > hi) {
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", lo, hi);
    return make_error(Status::invalid_argument, "--" + name + " expects a number in " + range + ", got '" + *v + "'");
  }
  return x;
}

Expected<Args> parse_args(int argc, char** argv, const std::vector<OptionSpec>& specs) {
  Args args;
  bool options_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (options_done || a == "-" || a.size() < 2 || a[0] != '-') {
      args.positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      args.flags_.insert("help");
      continue;
    }
    if (a.rfind("--", 0) != 0)
      return make_error(Status::invalid_argument, "unknown option '" + a + "' (options start with --)");
    std::string name = a.substr(2), val;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      val = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) return make_error(Status::invalid_argument, "unknown option '--" + name + "'");
    if (!spec->takes_value) {
      if (inline_value) return make_error(Status::invalid_argument, "--" + name + " takes no value");
      args.flags_.insert(name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) return make_error(Status::invalid_argument, "--" + name + " needs a value");
      val = argv[++i];
    }
    args.values_[name] = val;
  }
  return args;
}

}  // namespace melgenre::cli
