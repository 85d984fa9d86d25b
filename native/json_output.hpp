// Small JSON writers for the CLI's one-object-per-line output.
#pragma once

#include <string>
#include <vector>

namespace melgenre::cli {

std::string json_string(const std::string& s);  // quoted and escaped
std::string json_number(double v);              // %.6g; non-finite -> null
// {"label":p,...}
std::string json_scores(const std::vector<std::string>& labels, const std::vector<float>& scores);

}  // namespace melgenre::cli
