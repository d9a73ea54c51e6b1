// common/thread_name.h: names the calling thread ("herald-writer", "herald-runner", …) so that
// `top -H`, `ps -L`, gdb and perf show which of the daemon's threads is which.
//
// Thread rules: names the calling thread only; safe from any thread.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace herald {

// Linux keeps 15 bytes of a thread's name; longer names are cut.
inline void NameThisThread(std::string_view name) {
  const std::string shortened(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), shortened.c_str());
}

}  // namespace herald
