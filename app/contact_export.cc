#include "app/contact_export.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>

#include "contacts/import_reader.h"

namespace herald::app {

Result<std::filesystem::path> NewTempFile(std::string_view prefix, std::ofstream& out) {
  // mkstemp replaces the six trailing characters of its template.
  std::string path = (std::filesystem::temp_directory_path() /
                      ("herald-" + std::string(prefix) + "-" + std::string(6, 'X')))
                         .string();
  int fd = mkstemp(path.data());
  if (fd < 0)
    return MakeError(ErrorCode::kIoError, "cannot create a temporary file in " +
                                              std::filesystem::temp_directory_path().string());
  close(fd);
  out.open(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return MakeError(ErrorCode::kIoError, "cannot open the temporary file " + path);
  }
  return std::filesystem::path(path);
}

Result<std::filesystem::path> WriteContactsCsv(storage::ContactRepository& contacts,
                                               const std::vector<ContactId>& ids) {
  std::set<std::string> attribute_keys;
  for (ContactId id : ids) {
    auto contact = contacts.FindById(id);
    if (!contact.ok()) return contact.error();
    if (!contact->has_value()) continue;
    for (const auto& [key, value] : (*contact)->attributes) attribute_keys.insert(key);
  }
  std::ofstream out;
  auto path = NewTempFile("export", out);
  if (!path.ok()) return path.error();
  auto fail = [&](Error error) -> Result<std::filesystem::path> {
    out.close();
    std::error_code ignored;
    std::filesystem::remove(*path, ignored);
    return error;
  };
  std::vector<std::string> header = {
      "phone",          "name", "tags", "country", "language", "timezone", "consent_marketing",
      "consent_utility"};
  header.insert(header.end(), attribute_keys.begin(), attribute_keys.end());
  WriteCsvRow(out, header, contacts::ContactCsvOptions());
  for (ContactId id : ids) {
    auto contact = contacts.FindById(id);
    if (!contact.ok()) return fail(contact.error());
    if (!contact->has_value()) continue;  // erased meanwhile
    const storage::StoredContact& c = **contact;
    std::string tags;
    for (const auto& tag : c.tags) tags += (tags.empty() ? "" : ";") + tag;
    std::vector<std::string> row = {c.phone_e164,
                                    c.name,
                                    tags,
                                    c.country,
                                    c.language,
                                    c.timezone,
                                    c.consent_marketing ? "yes" : "no",
                                    c.consent_utility ? "yes" : "no"};
    for (const auto& key : attribute_keys) {
      auto it = std::find_if(c.attributes.begin(), c.attributes.end(),
                             [&](const auto& attribute) { return attribute.first == key; });
      row.push_back(it == c.attributes.end() ? "" : it->second);
    }
    WriteCsvRow(out, row, contacts::ContactCsvOptions());
  }
  out.close();
  if (!out)
    return fail(MakeError(ErrorCode::kIoError, "cannot write the export file " + path->string()));
  return path;
}

}  // namespace herald::app
