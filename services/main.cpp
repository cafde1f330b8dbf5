// Entry point of the `sage` executable.
// SPDX-License-Identifier: MIT
#include "services/cli/app.hpp"

int main(int argc, char** argv) {
  return sage::services::cli::run(argc, argv);
}
