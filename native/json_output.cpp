#include "json_output.hpp"

#include <cmath>
#include <cstdio>

namespace melgenre::cli {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string json_scores(const std::vector<std::string>& labels, const std::vector<float>& scores) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size() && i < scores.size(); ++i)
    out += (i ? "," : "") + json_string(labels[i]) + ":" + json_number(scores[i]);
  return out + "}";
}

}  // namespace melgenre::cli
