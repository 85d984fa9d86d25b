#include "confusion_svg.hpp"

#include <cstdio>

namespace melgenre::cli {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// White -> deep blue by fraction of the row.
std::string cell_colour(double f) {
  const int r = int(247 - f * (247 - 8));
  const int g = int(251 - f * (251 - 69));
  const int b = int(255 - f * (255 - 148));
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

}  // namespace

std::string confusion_svg(const std::vector<std::string>& labels, const std::vector<std::vector<long>>& confusion,
                          const std::string& title) {
  const int n = int(labels.size());
  const double cell = 44, left = 110, top = 120;
  const double width = left + n * cell + 20, height = top + n * cell + 50;
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
       "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(width / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + xml_escape(title) +
       "</text>\n";
  s += "<text x=\"" + num(left + n * cell / 2) + "\" y=\"44\" text-anchor=\"middle\">predicted</text>\n";
  s += "<text x=\"16\" y=\"" + num(top + n * cell / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " +
       num(top + n * cell / 2) + ")\">true genre</text>\n";
  for (int j = 0; j < n; ++j) {
    const double x = left + j * cell + cell / 2, y = top - 8;
    s += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"start\" transform=\"rotate(-55 " + num(x) +
         " " + num(y) + ")\">" + xml_escape(labels[size_t(j)]) + "</text>\n";
  }
  for (int i = 0; i < n; ++i) {
    long row_total = 0;
    for (long v : confusion[size_t(i)]) row_total += v;
    const double y = top + i * cell;
    s += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y + cell / 2 + 4) + "\" text-anchor=\"end\">" +
         xml_escape(labels[size_t(i)]) + "</text>\n";
    for (int j = 0; j < n; ++j) {
      const long v = confusion[size_t(i)][size_t(j)];
      const double f = row_total ? double(v) / double(row_total) : 0.0;
      const double x = left + j * cell;
      s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell) + "\" height=\"" + num(cell) +
           "\" fill=\"" + cell_colour(f) + "\"" + (i == j ? " stroke=\"#555\" stroke-width=\"2\"" : " stroke=\"#ccc\"") + "/>\n";
      if (v)
        s += "<text x=\"" + num(x + cell / 2) + "\" y=\"" + num(y + cell / 2 + 4) + "\" text-anchor=\"middle\" fill=\"" +
             (f > 0.5 ? "white" : "black") + "\">" + std::to_string(v) + "</text>\n";
    }
  }
  s += "<text x=\"" + num(left) + "\" y=\"" + num(top + n * cell + 30) +
       "\">rows: true genre; colour: fraction of the row; numbers: tracks</text>\n";
  s += "</svg>\n";
  return s;
}

}  // namespace melgenre::cli
