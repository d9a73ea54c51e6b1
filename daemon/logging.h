// daemon/logging.h: spdlog set-up for operators. One line per event with key=value fields; under
// systemd (JOURNAL_STREAM, or format "journal") lines go to journald with their priority.
//
// Thread rules: Configure/SetLevel on the main thread; logging itself from any thread.
#pragma once

#include "config/config.h"

namespace herald::daemon {

void ConfigureLogging(const config::LogConfig& log);
void SetLogLevel(config::LogLevel level);

}  // namespace herald::daemon
