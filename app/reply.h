// app/reply.h: how a service answers an asynchronous call: once, with a value or an error, on
// the thread that finished the work (the writer's, a worker's). A Reply must not block.
#pragma once

#include <functional>

#include "common/result.h"

namespace herald::app {

template <typename T>
using Reply = std::function<void(Result<T>)>;

}  // namespace herald::app
