#include "compliance/word_list_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "compliance/starter_word_lists.h"

namespace herald::compliance {

// For readable failures and ElementsAre on terms.
bool operator==(const Term& a, const Term& b) {
  return std::tie(a.text, a.kind, a.severity, a.note) ==
         std::tie(b.text, b.kind, b.severity, b.note);
}
void PrintTo(const Term& term, std::ostream* out) {
  *out << "{\"" << term.text << "\", " << MatchKindName(term.kind) << ", "
       << SeverityName(term.severity) << ", \"" << term.note << "\"}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

Term T(std::string text, MatchKind kind, Severity severity, std::string note = {}) {
  return Term{std::move(text), kind, severity, std::move(note)};
}

std::vector<Term> ParseOk(std::string_view csv) {
  WordListCsvResult result = ParseWordListCsv(csv, "test.csv");
  EXPECT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(result.terms.has_value(), result.ok());
  return result.terms.value_or(std::vector<Term>{});
}

TEST(StarterWordLists, AreGermanAndEnglish) {
  const std::vector<StarterList> lists = StarterWordLists();
  ASSERT_THAT(lists, SizeIs(2));
  EXPECT_EQ(lists[0].name, "de");
  EXPECT_EQ(lists[0].language, "de");
  EXPECT_EQ(lists[1].name, "en");
  EXPECT_EQ(lists[1].language, "en");
}

TEST(StarterWordLists, ParseWithoutErrorsAndWriteBackByteForByte) {
  for (const StarterList& list : StarterWordLists()) {
    SCOPED_TRACE(std::string(list.name));
    WordListCsvResult result = ParseWordListCsv(list.csv, list.name);
    ASSERT_TRUE(result.ok()) << result.ErrorsToString();
    const auto lines = std::count(list.csv.begin(), list.csv.end(), '\n');
    EXPECT_EQ(static_cast<std::ptrdiff_t>(result.terms->size()), lines - 1) << "one term a line";
    EXPECT_EQ(WriteWordListCsv(*result.terms), list.csv);
  }
}

TEST(StarterWordLists, HoldTheTermsOfTheDataFiles) {
  const std::vector<StarterList> lists = StarterWordLists();
  const std::vector<Term> de = ParseOk(lists[0].csv);
  ASSERT_FALSE(de.empty());
  EXPECT_EQ(de.front(), T("kostenlos", MatchKind::kWord, Severity::kBlock,
                          "classic spam trigger in promotional messages"));
  EXPECT_EQ(de.back(), T("klicken sie hier", MatchKind::kPhrase, Severity::kReview));
  const std::vector<Term> en = ParseOk(lists[1].csv);
  ASSERT_FALSE(en.empty());
  EXPECT_EQ(en.back(), T("otp", MatchKind::kWord, Severity::kBlock,
                         "one-time codes only through authentication templates"));
}

TEST(ParseWordListCsv, AcceptsBomCrlfBlankLinesAndColumnsInAnyOrder) {
  const std::vector<Term> terms = ParseOk(
      "\xEF\xBB\xBF"
      "Severity , MATCH,term\r\n"
      "\r\n"
      "review, Phrase ,act now\r\n"
      "BLOCK,word,free\r\n"
      "\r\n");
  EXPECT_THAT(terms, ElementsAre(T("act now", MatchKind::kPhrase, Severity::kReview),
                                 T("free", MatchKind::kWord, Severity::kBlock)))
      << "note is optional; match and severity ignore case and surrounding spaces";
}

TEST(ParseWordListCsv, RefusesTermsThatAreNotUtf8) {
  WordListCsvResult result =
      ParseWordListCsv("term,match,severity\nkrypt\xF7o,prefix,review\n", "test.csv");
  ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_NE(result.ErrorsToString().find("UTF-8"), std::string::npos) << result.ErrorsToString();
}

TEST(ParseWordListCsv, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  const std::vector<Term> terms = ParseOk(
      "term,match,severity,note\n"
      "\"buy, now\",phrase,block,\"says \"\"buy\"\"\"\n"
      "crypto,\"prefix\",review,\"two\r\nlines\"\n"
      "\"\"\"quoted\"\"\",word,block,\"\"\n");
  EXPECT_THAT(terms,
              ElementsAre(T("buy, now", MatchKind::kPhrase, Severity::kBlock, "says \"buy\""),
                          T("crypto", MatchKind::kPrefix, Severity::kReview, "two\r\nlines"),
                          T("\"quoted\"", MatchKind::kWord, Severity::kBlock)));
}

TEST(ParseWordListCsv, KeepsTermAndNoteByteForByte) {
  const std::vector<Term> terms = ParseOk(
      "term,match,severity,note\n"
      " gratis ,word,block, a note \n"
      "\"a,b\",phrase,review,\"x\"\"y\"\n");
  EXPECT_THAT(terms, ElementsAre(T(" gratis ", MatchKind::kWord, Severity::kBlock, " a note "),
                                 T("a,b", MatchKind::kPhrase, Severity::kReview, "x\"y")));
}

TEST(ParseWordListCsv, AllowsTheSameTermWithDifferentMatchKinds) {
  const std::vector<Term> terms = ParseOk(
      "term,match,severity,note\n"
      "win,word,block,\n"
      "win,prefix,review,\n"
      "win,allow,block,\n");
  EXPECT_THAT(terms, SizeIs(3));
}

TEST(WriteWordListCsv, QuotesOnlyWhatMustBeQuoted) {
  const std::vector<Term> terms = {
      T("free", MatchKind::kWord, Severity::kBlock),
      T("buy, now", MatchKind::kPhrase, Severity::kReview, "says \"buy\""),
      T("two\r\nlines", MatchKind::kPhrase, Severity::kBlock, "=HYPERLINK(\"x\")"),
      T("^\\d{6}$", MatchKind::kRegex, Severity::kBlock, " spaced "),
  };
  EXPECT_EQ(WriteWordListCsv(terms),
            "term,match,severity,note\n"
            "free,word,block,\n"
            "\"buy, now\",phrase,review,\"says \"\"buy\"\"\"\n"
            "\"two\r\nlines\",phrase,block,\"=HYPERLINK(\"\"x\"\")\"\n"
            "^\\d{6}$,regex,block, spaced \n");
}

TEST(WriteWordListCsv, ReadsBackToTheSameTerms) {
  const std::vector<Term> terms = {
      T("kostenlos", MatchKind::kWord, Severity::kBlock, "Ümläute, commas, \"quotes\""),
      T("sie haben gewonnen", MatchKind::kPhrase, Severity::kReview, "line\nbreak"),
      T("krypto", MatchKind::kPrefix, Severity::kReview),
      T("(?i)gewinn(spiel|er)", MatchKind::kRegex, Severity::kBlock, "cr\ronly"),
      T("gewinnspielregeln", MatchKind::kAllow, Severity::kBlock, "@officer +1 -2 =3"),
      T("退订", MatchKind::kWord, Severity::kBlock, "trailing space "),
  };
  const std::string csv = WriteWordListCsv(terms);
  EXPECT_EQ(ParseOk(csv), terms);
  EXPECT_EQ(WriteWordListCsv(ParseOk(csv)), csv);
}

TEST(WriteWordListCsv, WritesOnlyTheHeaderForNoTerms) {
  EXPECT_EQ(WriteWordListCsv({}), "term,match,severity,note\n");
  EXPECT_THAT(ParseOk(WriteWordListCsv({})), SizeIs(0));
}

struct BadFileCase {
  const char* name;
  const char* csv;
  int line;
  const char* column;
  const char* message;  // expected somewhere in the message
};

void PrintTo(const BadFileCase& c, std::ostream* out) { *out << c.name; }

class BadWordListFile : public ::testing::TestWithParam<BadFileCase> {};

TEST_P(BadWordListFile, IsOneErrorNamingLineColumnAndReason) {
  const BadFileCase& c = GetParam();
  const WordListCsvResult result = ParseWordListCsv(c.csv, "lists/de.csv");
  ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
  const WordListCsvError& error = result.errors[0];
  EXPECT_EQ(error.source, "lists/de.csv");
  EXPECT_EQ(error.line, c.line);
  EXPECT_EQ(error.column, c.column);
  EXPECT_THAT(error.message, HasSubstr(c.message));
  EXPECT_FALSE(result.terms.has_value());
}

constexpr const char* kHeader = "term,match,severity,note\n";

const BadFileCase kBadFiles[] = {
    {"UnknownMatchKind", "term,match,severity,note\nfree,wrd,block,\n", 2, "match",
     "unknown match kind \"wrd\"; expected one of word, phrase, prefix, regex, allow; did you "
     "mean \"word\"?"},
    {"EmptyMatchKind", "term,match,severity,note\nfree,,block,\n", 2, "match",
     "empty match kind; expected one of word"},
    {"UnknownSeverity", "term,match,severity,note\nfree,word,blok,\n", 2, "severity",
     "unknown severity \"blok\"; expected one of block, review; did you mean \"block\"?"},
    {"UnknownSeverityFarFromAny", "term,match,severity,note\nfree,word,forbidden,\n", 2, "severity",
     "expected one of block, review"},
    {"MissingSeverityField", "term,match,severity,note\nfree,word\n", 2, "severity",
     "empty severity"},
    {"EmptyTerm", "term,match,severity,note\n,word,block,note\n", 2, "term", "empty term"},
    {"DuplicateTermAndKind", "term,match,severity,note\nfree,word,block,\nfree,word,review,\n", 3,
     "term", "duplicate: \"free\" with match word is already on line 2"},
    {"InvalidRegex", "term,match,severity,note\n\"(unclosed\",regex,block,\n", 2, "term",
     "(unclosed"},
    {"TermWithoutLetters", "term,match,severity,note\n\"!!!\",word,block,\n", 2, "term", "!!!"},
    {"MissingHeader", "free,word,block,\nwin,word,block,\n", 1, "", "missing header"},
    {"UnknownColumn", "term,match,severity,comment\nfree,word,block,x\n", 1, "comment",
     "unknown column \"comment\"; expected one of term, match, severity, note"},
    {"MisspeltColumn", "term,match,sevrity,note\nfree,word,block,\n", 1, "sevrity",
     "did you mean \"severity\"?"},
    {"ColumnNamedTwice", "term,match,severity,term\n", 1, "term", "named twice"},
    {"MissingColumn", "term,match,note\nfree,word,\n", 1, "severity",
     "missing column \"severity\""},
    {"TooManyFields", "term,match,severity,note\nbuy, now,phrase,block,\n", 2, "",
     "5 fields, but the header names 4 columns; quote a term or note that contains a comma"},
    {"UnclosedQuote", "term,match,severity,note\n\"free,word,block,\nwin,word,block,\n", 2, "",
     "not closed before the end of the file"},
    {"QuoteInsideUnquotedField", "term,match,severity,note\n5\" screen,word,block,\n", 2, "",
     "a quote inside an unquoted field"},
    {"TextAfterClosingQuote", "term,match,severity,note\n\"free\"dom,word,block,\n", 2, "",
     "text after a closing quote"},
    {"LineCountsIncludeLineBreaksInsideQuotes",
     "term,match,severity,note\n\"a\nb\",phrase,block,\"c\r\nd\"\nfree,wrod,block,\n", 5, "match",
     "did you mean \"word\"?"},
    {"LineCountsIncludeBlankLinesAndCrOnlyLineEnds", "term,match,severity,note\r\rfree,x,block\r",
     3, "match", "unknown match kind \"x\""},
    {"EmptyFile", "", 0, "", "empty file"},
    {"OnlyAByteOrderMark", "\xEF\xBB\xBF", 0, "", "empty file"},
};

INSTANTIATE_TEST_SUITE_P(ParseWordListCsv, BadWordListFile, ::testing::ValuesIn(kBadFiles),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseWordListCsv, ReportsEveryBadRowInFileOrder) {
  const WordListCsvResult result = ParseWordListCsv(std::string(kHeader) +
                                                        "free,wrd,block,\n"
                                                        "ok,word,block,\n"
                                                        ",word,block,\n"
                                                        "win,word,maybe,\n",
                                                    "x.csv");
  ASSERT_THAT(result.errors, SizeIs(3)) << result.ErrorsToString();
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[1].line, 4);
  EXPECT_EQ(result.errors[2].line, 5);
  EXPECT_FALSE(result.terms.has_value()) << "a file with errors imports nothing";
}

TEST(ParseWordListCsv, ReportsEveryProblemOfOneRow) {
  const WordListCsvResult result = ParseWordListCsv(std::string(kHeader) + ",wrd,blok,\n", "x.csv");
  ASSERT_THAT(result.errors, SizeIs(3)) << result.ErrorsToString();
  EXPECT_EQ(result.errors[0].column, "term");
  EXPECT_EQ(result.errors[1].column, "match");
  EXPECT_EQ(result.errors[2].column, "severity");
}

TEST(ParseWordListCsv, StopsAfterTooManyErrors) {
  std::string csv = kHeader;
  for (int i = 0; i < 500; ++i) csv += "term" + std::to_string(i) + ",nonsense,block,\n";
  const WordListCsvResult result = ParseWordListCsv(csv, "x.csv");
  ASSERT_EQ(result.errors.size(), kMaxWordListCsvErrors);
  EXPECT_THAT(result.errors.back().message, HasSubstr("too many errors"));
  EXPECT_EQ(result.errors.back().line, static_cast<int>(kMaxWordListCsvErrors) + 1);
}

TEST(WordListCsvError, ToStringNamesSourceLineAndColumn) {
  EXPECT_EQ((WordListCsvError{"de.csv", 3, "match", "unknown"}).ToString(),
            "de.csv:3: match: unknown");
  EXPECT_EQ((WordListCsvError{"de.csv", 0, "", "empty file"}).ToString(), "de.csv: empty file");
}

}  // namespace
}  // namespace herald::compliance
