// The confusion matrix as a self-contained SVG: rows = true genre, columns = predicted, each cell
// coloured by its fraction of the row and labelled with its count.
#pragma once

#include <string>
#include <vector>

namespace melgenre::cli {

std::string confusion_svg(const std::vector<std::string>& labels, const std::vector<std::vector<long>>& confusion,
                          const std::string& title);

}  // namespace melgenre::cli
