// Reading a parsed TOML document against the schema.
#pragma once

#include <toml++/toml.h>

#include "config/config.h"
#include "config/detail/field.h"

namespace herald::config::detail {

// The config the document describes, defaults filled in. Every unknown key or table, secret
// written as a value, wrong type and invalid value goes to `errors`; the result is only meaningful
// when there were none.
Config ReadDocument(const toml::table& root, ErrorSink& errors);

}  // namespace herald::config::detail
