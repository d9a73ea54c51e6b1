#include "daemon/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace herald::daemon {
namespace {

spdlog::level::level_enum ToSpdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::level::trace;
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarn:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      return spdlog::level::err;
    case config::LogLevel::kCritical:
      return spdlog::level::critical;
    case config::LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// systemd sets JOURNAL_STREAM=<dev>:<inode> when stderr is connected to the journal.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(fileno(stderr), &st) != 0) return false;
  std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == stream;
}

}  // namespace

void ConfigureLogging(const config::LogConfig& log) {
  bool journal = log.format == config::LogFormat::kJournal ||
                 (log.format == config::LogFormat::kAuto && StderrIsJournal());
  std::shared_ptr<spdlog::logger> logger;
  if (journal) {
    logger = std::make_shared<spdlog::logger>(
        "heraldd", std::make_shared<spdlog::sinks::systemd_sink_mt>("heraldd", true));
    logger->set_pattern("%v");  // journald adds time, host and unit itself
  } else {
    logger = std::make_shared<spdlog::logger>("heraldd",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  }
  logger->set_level(ToSpdlog(log.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void SetLogLevel(config::LogLevel level) { spdlog::set_level(ToSpdlog(level)); }

}  // namespace herald::daemon
