#include "storage/sqlite/word_list_repository.h"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "common/time.h"
#include "storage/sqlite/detail/savepoint.h"
#include "storage/sqlite/detail/word_list_edit.h"

namespace herald::storage {
namespace {

namespace json = boost::json;

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status CheckAttribution(std::string_view actor, std::string_view reason) {
  if (IsBlank(actor)) {
    return MakeError(ErrorCode::kInvalidArgument, "an actor is required: who makes the change",
                     "actor");
  }
  if (IsBlank(reason)) {
    return MakeError(ErrorCode::kInvalidArgument, "a reason is required: why the change is made",
                     "reason");
  }
  return Status::Ok();
}

// List names and languages appear in URLs, CLI arguments and log lines: keep them plain.
bool IsPlainName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status CheckNewList(std::string_view name, std::string_view language) {
  if (!IsPlainName(name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid word list name \"" + std::string(name) +
                         "\": expected 1 to 64 ASCII letters, digits, '-', '_' or '.'",
                     "name");
  }
  if (!language.empty() && !IsPlainName(language)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid language \"" + std::string(language) +
                         "\": expected a code such as \"de\" or \"pt_BR\", or empty for a list "
                         "that applies to every language",
                     "language");
  }
  return Status::Ok();
}

Error NoSuchList(std::string_view list) {
  return MakeError(ErrorCode::kNotFound, "no word list named \"" + std::string(list) + "\"",
                   "list");
}

std::string CreateDetailJson(std::string_view language, std::size_t terms, bool seeded) {
  json::object detail{{"version", 1}, {"terms", terms}};
  detail["language"] = language.empty() ? json::value(nullptr) : json::value(language);
  if (seeded) detail["seeded"] = true;
  return json::serialize(detail);
}

}  // namespace

struct SqliteWordListRepository::ListRow {
  std::int64_t id = 0;
  std::string name;
  std::string language;
  std::int64_t active_version_id = 0;
  std::int64_t active_version = 0;
};

Result<SqliteWordListRepository::ListRow> SqliteWordListRepository::FindList(
    std::string_view list) {
  auto find = connection_.Prepare(
      "SELECT l.id, l.language, l.active_version_id, v.version FROM word_lists l "
      "JOIN word_list_versions v ON v.id = l.active_version_id WHERE l.name = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, list);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return NoSuchList(list);
  return ListRow{find->ColumnInt(0), std::string(list), find->ColumnText(1), find->ColumnInt(2),
                 find->ColumnInt(3)};
}

Result<std::vector<StoredTerm>> SqliteWordListRepository::LoadTerms(std::int64_t version_id) {
  auto query = connection_.Prepare(
      "SELECT term, match_kind, severity, note FROM word_terms WHERE version_id = ?1 "
      "ORDER BY term, match_kind");
  if (!query.ok()) return query.error();
  query->Bind(1, version_id);
  std::vector<StoredTerm> terms;
  Status read = ForEachRow(*query, [&](const Statement& row) {
    terms.push_back(
        StoredTerm{row.ColumnText(0), row.ColumnText(1), row.ColumnText(2), row.ColumnText(3)});
  });
  if (!read.ok()) return read.error();
  return terms;
}

// Writes the list's next version with `terms` and makes it the active one; returns its number.
Result<std::int64_t> SqliteWordListRepository::WriteVersion(std::int64_t list_id,
                                                            const std::vector<StoredTerm>& terms,
                                                            std::string_view actor,
                                                            std::string_view reason, SysTime now) {
  // max + 1, not active + 1: version numbers are never reused, whichever version is active.
  auto insert = connection_.Prepare(
      "INSERT INTO word_list_versions (list_id, version, actor, reason, created_at) "
      "SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4 FROM word_list_versions "
      "WHERE list_id = ?1 RETURNING id, version");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, list_id).Bind(2, actor).Bind(3, reason).Bind(4, ToUnixMillis(now));
  auto row = insert->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "inserting a word list version returned no id");
  const std::int64_t version_id = insert->ColumnInt(0);
  const std::int64_t version = insert->ColumnInt(1);
  if (Status done = insert->Run(); !done.ok()) return done.error();

  auto term = connection_.Prepare(
      "INSERT INTO word_terms (version_id, term, match_kind, severity, note) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!term.ok()) return term.error();
  for (const StoredTerm& t : terms) {
    term->Bind(1, version_id).Bind(2, t.term).Bind(3, t.match_kind).Bind(4, t.severity);
    term->Bind(5, t.note);
    Status inserted = term->Run();
    term->Reset();
    if (!inserted.ok()) return inserted.error();
  }
  auto activate = connection_.Prepare("UPDATE word_lists SET active_version_id = ?2 WHERE id = ?1");
  if (!activate.ok()) return activate.error();
  activate->Bind(1, list_id).Bind(2, version_id);
  if (Status activated = activate->Run(); !activated.ok()) return activated.error();
  return version;
}

Status SqliteWordListRepository::Audit(std::string_view action, std::string_view list,
                                       std::string_view actor, std::string_view reason,
                                       const std::string& detail_json, SysTime now) {
  return audit_.Append({now, actor, action, "word_list", list, reason, detail_json});
}

Status SqliteWordListRepository::InsertList(const SeedWordList& list, std::string_view actor,
                                            std::string_view reason, SysTime now, bool seeded) {
  auto insert = connection_.Prepare(
      "INSERT INTO word_lists (name, language, created_at) VALUES (?1, ?2, ?3) RETURNING id");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, list.name).Bind(3, ToUnixMillis(now));
  if (list.language.empty()) {
    insert->BindNull(2);
  } else {
    insert->Bind(2, list.language);
  }
  auto row = insert->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "inserting a word list returned no id");
  const std::int64_t list_id = insert->ColumnInt(0);
  if (Status done = insert->Run(); !done.ok()) return done;
  auto version = WriteVersion(list_id, list.terms, actor, reason, now);
  if (!version.ok()) return version.error();
  return Audit("wordlist.create", list.name, actor, reason,
               CreateDetailJson(list.language, list.terms.size(), seeded), now);
}

Result<WordListChange> SqliteWordListRepository::CreateList(std::string_view name,
                                                            std::string_view language,
                                                            std::string_view actor,
                                                            std::string_view reason, SysTime now) {
  if (Status ok = CheckAttribution(actor, reason); !ok.ok()) return ok.error();
  if (Status ok = CheckNewList(name, language); !ok.ok()) return ok.error();
  Status created = detail::InSavepoint(connection_, "word_list_create", [&]() -> Status {
    auto existing = FindList(name);
    if (existing.ok()) {
      return MakeError(ErrorCode::kAlreadyExists,
                       "a word list named \"" + std::string(name) + "\" exists already", "name");
    }
    if (existing.error().code != ErrorCode::kNotFound) return existing.error();
    return InsertList(SeedWordList{std::string(name), std::string(language), {}}, actor, reason,
                      now, /*seeded=*/false);
  });
  if (!created.ok()) return created.error();
  WordListChange change;
  change.changed = true;
  change.version = 1;
  return change;
}

Result<WordListChange> SqliteWordListRepository::AddTerms(std::string_view list,
                                                          const std::vector<StoredTerm>& terms,
                                                          std::string_view actor,
                                                          std::string_view reason, SysTime now) {
  if (terms.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no terms to add", "terms");
  }
  return Change(list, "wordlist.add", detail::TermEdit::kAdd, terms, {}, actor, reason, now);
}

Result<WordListChange> SqliteWordListRepository::RemoveTerms(std::string_view list,
                                                             const std::vector<TermKey>& keys,
                                                             std::string_view actor,
                                                             std::string_view reason, SysTime now) {
  if (keys.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no terms to remove", "terms");
  }
  return Change(list, "wordlist.remove", detail::TermEdit::kRemove, {}, keys, actor, reason, now);
}

Result<WordListChange> SqliteWordListRepository::ImportTerms(std::string_view list,
                                                             const std::vector<StoredTerm>& terms,
                                                             ImportMode mode,
                                                             std::string_view actor,
                                                             std::string_view reason, SysTime now) {
  return mode == ImportMode::kMerge ? Change(list, "wordlist.import", detail::TermEdit::kAdd, terms,
                                             {}, actor, reason, now)
                                    : Change(list, "wordlist.replace", detail::TermEdit::kReplace,
                                             terms, {}, actor, reason, now);
}

Result<WordListChange> SqliteWordListRepository::Change(
    std::string_view list, std::string_view action, detail::TermEdit edit,
    const std::vector<StoredTerm>& terms, const std::vector<TermKey>& keys, std::string_view actor,
    std::string_view reason, SysTime now) {
  if (Status ok = CheckAttribution(actor, reason); !ok.ok()) return ok.error();
  if (Status ok = detail::CheckTerms(terms); !ok.ok()) return ok.error();
  WordListChange change;
  Status status = detail::InSavepoint(connection_, "word_list_change", [&]() -> Status {
    auto row = FindList(list);
    if (!row.ok()) return row.error();
    auto current = LoadTerms(row->active_version_id);
    if (!current.ok()) return current.error();
    auto edited = detail::EditTerms(*current, edit, terms, keys, list);
    if (!edited.ok()) return edited.error();
    change.previous_version = change.version = row->active_version;
    change.term_count = edited->terms.size();
    if (!edited->changed()) return Status::Ok();
    auto version = WriteVersion(row->id, edited->terms, actor, reason, now);
    if (!version.ok()) return version.error();
    change.changed = true;
    change.version = *version;
    change.added = edited->added;
    change.updated = edited->updated;
    change.removed = edited->removed;
    return Audit(action, list, actor, reason,
                 detail::ChangeDetailJson(*version, row->active_version, *edited), now);
  });
  if (!status.ok()) return status.error();
  return change;
}

Result<std::vector<StoredWordList>> SqliteWordListRepository::LoadActive() {
  // One statement, so one consistent snapshot even on a read connection.
  auto query = connection_.Prepare(
      "SELECT l.name, l.language, v.version, t.term, t.match_kind, t.severity, t.note "
      "FROM word_lists l JOIN word_list_versions v ON v.id = l.active_version_id "
      "LEFT JOIN word_terms t ON t.version_id = v.id ORDER BY l.name, t.term, t.match_kind");
  if (!query.ok()) return query.error();
  std::vector<StoredWordList> lists;
  Status read = ForEachRow(*query, [&](const Statement& row) {
    std::string name = row.ColumnText(0);
    if (lists.empty() || lists.back().name != name) {
      lists.push_back(StoredWordList{std::move(name), row.ColumnText(1), row.ColumnInt(2), {}});
    }
    if (row.ColumnIsNull(3)) return;  // a list without terms
    lists.back().terms.push_back(
        StoredTerm{row.ColumnText(3), row.ColumnText(4), row.ColumnText(5), row.ColumnText(6)});
  });
  if (!read.ok()) return read.error();
  return lists;
}

Result<StoredWordList> SqliteWordListRepository::LoadList(std::string_view list) {
  return Load(list, std::nullopt);
}

Result<StoredWordList> SqliteWordListRepository::LoadVersion(std::string_view list,
                                                             std::int64_t version) {
  return Load(list, version);
}

Result<StoredWordList> SqliteWordListRepository::Load(std::string_view list,
                                                      std::optional<std::int64_t> version) {
  StoredWordList loaded;
  // A savepoint is a read transaction too: the list row and its terms come from one snapshot.
  Status status = detail::InSavepoint(connection_, "word_list_read", [&]() -> Status {
    auto row = FindList(list);
    if (!row.ok()) return row.error();
    std::int64_t version_id = row->active_version_id;
    loaded = StoredWordList{row->name, row->language, row->active_version, {}};
    if (version && *version != row->active_version) {
      auto find = connection_.Prepare(
          "SELECT id FROM word_list_versions WHERE list_id = ?1 AND version = ?2");
      if (!find.ok()) return find.error();
      find->Bind(1, row->id).Bind(2, *version);
      auto found = find->Step();
      if (!found.ok()) return found.error();
      if (!*found) {
        return MakeError(
            ErrorCode::kNotFound,
            "word list \"" + std::string(list) + "\" has no version " + std::to_string(*version),
            "version");
      }
      version_id = find->ColumnInt(0);
      loaded.version = *version;
    }
    auto terms = LoadTerms(version_id);
    if (!terms.ok()) return terms.error();
    loaded.terms = std::move(terms).value();
    return Status::Ok();
  });
  if (!status.ok()) return status.error();
  return loaded;
}

Result<std::vector<WordListVersionInfo>> SqliteWordListRepository::ListVersions(
    std::string_view list) {
  std::vector<WordListVersionInfo> versions;
  Status status = detail::InSavepoint(connection_, "word_list_read", [&]() -> Status {
    auto row = FindList(list);
    if (!row.ok()) return row.error();
    auto query = connection_.Prepare(
        "SELECT v.version, v.actor, v.reason, v.created_at, "
        "(SELECT count(*) FROM word_terms t WHERE t.version_id = v.id) "
        "FROM word_list_versions v WHERE v.list_id = ?1 ORDER BY v.version");
    if (!query.ok()) return query.error();
    query->Bind(1, row->id);
    return ForEachRow(*query, [&](const Statement& r) {
      versions.push_back(WordListVersionInfo{r.ColumnInt(0), r.ColumnText(1), r.ColumnText(2),
                                             FromUnixMillis(r.ColumnInt(3)), r.ColumnInt(4)});
    });
  });
  if (!status.ok()) return status.error();
  return versions;
}

Result<bool> SqliteWordListRepository::SeedStarterListsIfEmpty(
    const std::vector<SeedWordList>& lists, std::string_view actor, std::string_view reason,
    SysTime now) {
  if (Status ok = CheckAttribution(actor, reason); !ok.ok()) return ok.error();
  std::set<std::string> names;
  for (const SeedWordList& list : lists) {
    if (Status ok = CheckNewList(list.name, list.language); !ok.ok()) return ok.error();
    if (Status ok = detail::CheckTerms(list.terms); !ok.ok()) return ok.error();
    if (!names.insert(list.name).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "word list \"" + list.name + "\" is given twice", "name");
    }
  }
  bool seeded = false;
  Status status = detail::InSavepoint(connection_, "word_list_seed", [&]() -> Status {
    auto count = connection_.Prepare("SELECT EXISTS (SELECT 1 FROM word_lists)");
    if (!count.ok()) return count.error();
    auto row = count->Step();
    if (!row.ok()) return row.error();
    if (*row && count->ColumnInt(0) != 0) return Status::Ok();
    for (const SeedWordList& list : lists) {
      // Sorted like every stored version, so that version 1 reads back as it was given.
      SeedWordList sorted = list;
      std::sort(sorted.terms.begin(), sorted.terms.end(), [](const auto& a, const auto& b) {
        return std::tie(a.term, a.match_kind) < std::tie(b.term, b.match_kind);
      });
      if (Status inserted = InsertList(sorted, actor, reason, now, /*seeded=*/true);
          !inserted.ok()) {
        return inserted;
      }
    }
    seeded = true;
    return Status::Ok();
  });
  if (!status.ok()) return status.error();
  return seeded;
}

}  // namespace herald::storage
