// contacts/detail/readers.h: the two ContactReader implementations, chosen by ContactReader::Open.
#pragma once

#include <memory>

#include "common/chunked_input.h"
#include "common/result.h"
#include "contacts/import_reader.h"

namespace herald::contacts::detail {

// Reads and checks the header. The input is positioned after any byte order mark.
Result<std::unique_ptr<ContactReader>> OpenCsvReader(std::unique_ptr<ChunkedInput> input,
                                                     const ReaderOptions& options);
std::unique_ptr<ContactReader> OpenJsonLinesReader(std::unique_ptr<ChunkedInput> input,
                                                   const ReaderOptions& options);

// "line 12: " and the like, shared by the readers.
std::string LinePrefix(std::int64_t line);

}  // namespace herald::contacts::detail
