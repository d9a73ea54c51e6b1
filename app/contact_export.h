// app/contact_export.h: files the contact service hands to callers: a segment's contacts as CSV
// in the import format, and temporary files for them.
//
// Thread rules: run on the thread that owns the repository (the service's read worker).
#pragma once

#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "storage/contact_repository.h"

namespace herald::app {

// A new, empty file in the temporary directory ("herald-<prefix>-XXXXXX"), opened for writing
// into `out`. The caller deletes it.
Result<std::filesystem::path> NewTempFile(std::string_view prefix, std::ofstream& out);

// Writes the contacts `ids` as CSV in the import format (so that the export imports back
// unchanged) to a new temporary file, one contact at a time: memory stays bounded however large
// the segment. Two passes: the attribute columns must be known before the first row. Contacts
// erased meanwhile are left out.
Result<std::filesystem::path> WriteContactsCsv(storage::ContactRepository& contacts,
                                               const std::vector<ContactId>& ids);

}  // namespace herald::app
