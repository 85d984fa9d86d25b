// The CLI's commands. Each takes the arguments after its name and returns the process exit code.
#pragma once

namespace melgenre::cli {

// Exit codes shared by every command.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;     // bad command line
constexpr int kExitBadInput = 2;  // an input file (audio, model) could not be used

int run_features(int argc, char** argv);  // cmd_features.cpp
int run_classify(int argc, char** argv);  // cmd_classify.cpp
int run_eval(int argc, char** argv);      // cmd_eval.cpp
int run_bench(int argc, char** argv);     // cmd_bench.cpp

}  // namespace melgenre::cli

namespace melgenre::cli {
// `features --kind summary` (cmd_features_summary.cpp), called by run_features.
int run_features_summary(int argc, char** argv);
}  // namespace melgenre::cli
