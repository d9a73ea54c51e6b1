// `herald`: the command-line client for the heraldd admin API. All logic is in RunCli (cli/cli.h).
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  return herald::cli::RunCli(argc, argv, std::cout, std::cerr, herald::cli::ProcessEnvironment());
}
