// Minimal command-line parsing shared by the commands: --name value, --name=value, flags, positionals.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "melgenre/error.hpp"

namespace melgenre::cli {

struct OptionSpec {
  std::string name;  // without the leading "--"
  bool takes_value = true;
};

class Args {
 public:
  bool has(const std::string& name) const { return flags_.count(name) || values_.count(name); }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  // Integer option in [lo, hi]; an error names the option.
  Expected<int> int_or(const std::string& name, int fallback, int lo, int hi) const;
  // Finite number in [lo, hi]; an error names the option.
  Expected<double> number_or(const std::string& name, double fallback, double lo, double hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

  friend Expected<Args> parse_args(int argc, char** argv, const std::vector<OptionSpec>& specs);

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

// "--help"/"-h" are always accepted as flags. A lone "-" is a positional (stdin). "--" ends options.
Expected<Args> parse_args(int argc, char** argv, const std::vector<OptionSpec>& specs);

}  // namespace melgenre::cli
