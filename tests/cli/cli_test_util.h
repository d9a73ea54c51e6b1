// Runs the `herald` CLI in-process (RunCli) with a given environment and captures its output.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace herald::cli::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline CliRun RunHerald(std::vector<std::string> args,
                        std::map<std::string, std::string> environment = {}) {
  std::vector<const char*> argv{"herald"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  EnvLookup env = [&environment](std::string_view name) -> std::optional<std::string> {
    auto found = environment.find(std::string(name));
    if (found == environment.end()) return std::nullopt;
    return found->second;
  };
  std::ostringstream out;
  std::ostringstream err;
  CliRun run;
  run.exit_code = RunCli(static_cast<int>(argv.size() - 1), argv.data(), out, err, env);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// A file in a fresh temporary directory, removed with the directory at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "herald-cli-test-XXXXXX").string();
    if (char* made = ::mkdtemp(pattern.data())) path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Write(const std::string& name, const std::string& contents) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace herald::cli::testing
