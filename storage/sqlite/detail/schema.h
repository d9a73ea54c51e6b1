// The SQL of every migration. Append new migrations; never edit one that has shipped.
#pragma once

#include <span>

#include "storage/sqlite/migrations.h"

namespace herald::storage::detail {

std::span<const Migration> SchemaMigrations();

}  // namespace herald::storage::detail
