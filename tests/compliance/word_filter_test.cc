// The word filter catches listed terms however they are disguised, leaves innocent words alone,
// reports where in the original text each match is, and swaps lists under running scans.
#include "compliance/word_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/release.h"
#include "compliance/text_normaliser.h"
#include "tests/compliance/one_list_matcher.h"

namespace herald::compliance {
namespace {

// "term,match,severity,note" lines, as in data/wordlists/*.csv (no quoting needed here).
WordList MakeList(std::string name, std::string language, std::int64_t version,
                  std::string_view csv_lines) {
  WordList list{std::move(name), std::move(language), version, {}};
  std::istringstream lines{std::string(csv_lines)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    fields.resize(4);
    list.terms.push_back(
        Term{fields[0], *ParseMatchKind(fields[1]), *ParseSeverity(fields[2]), fields[3]});
  }
  return list;
}

// A selection of the starter lists' terms (data/wordlists/de.csv and en.csv).
WordList GermanList() {
  return MakeList("de", "de", 3, R"(kostenlos,word,block,classic spam trigger
gratis,word,block,
gewinnen,word,block,prize language
gewinner,word,block,
sie haben gewonnen,phrase,block,
jetzt zugreifen,phrase,review,pressure language
100% garantiert,phrase,block,unverifiable promise
kredit ohne schufa,phrase,block,
risikofrei,word,review,
krypto,prefix,review,
gutschein einlösen,phrase,review,
passwort,word,block,never ask for credentials
pin,word,review,
tan,word,block,banking credential
)");
}

WordList EnglishList() {
  return MakeList("en", "en", 7, R"(free,word,block,classic spam trigger
win,word,block,prize language
you have won,phrase,block,
click here,phrase,review,
risk-free,phrase,review,
crypto,prefix,review,
otp,word,block,one-time codes only through authentication templates
)");
}

WordList GlobalList() {
  return MakeList("global", "", 1, R"(cunt,word,block,profanity
bit\.ly/\w+,regex,review,link shortener
\d\d+\s?% off,regex,review,discount claim
退订,word,review,unsubscribe wording
)");
}

std::shared_ptr<const WordFilter> BuildOrDie(std::vector<WordList> lists,
                                             const WordFilterOptions& options = {}) {
  Result<std::shared_ptr<const WordFilter>> filter = WordFilter::Build(std::move(lists), options);
  if (!filter.ok()) ADD_FAILURE() << filter.error().ToString();
  return filter.ok() ? *filter : nullptr;
}

const WordFilter& StarterFilter() {
  static const std::shared_ptr<const WordFilter> filter =
      BuildOrDie({GlobalList(), GermanList(), EnglishList()});
  return *filter;
}

std::vector<std::string> TermsFound(const WordFilter& filter, std::string_view text,
                                    std::string_view language = "") {
  std::vector<std::string> terms;
  for (const WordMatch& match : filter.Scan(text, language)) terms.push_back(match.term);
  return terms;
}

using Terms = std::vector<std::string>;

Term MakeTerm(std::string text, MatchKind kind) {
  Term term;
  term.text = std::move(text);
  term.kind = kind;
  return term;
}

struct ObfuscationCase {
  std::string_view text;
  std::string_view term;
  std::string_view why;
};

TEST(WordFilter, CatchesEveryKindOfObfuscation) {
  const std::vector<ObfuscationCase> cases = {
      {"Get it FREE today", "free", "plain, upper case"},
      {"Get it f r e e today", "free", "spaces between letters"},
      {"Get it f.r.e.e today", "free", "dots between letters"},
      {"Get it f-r-e-e today", "free", "hyphens between letters"},
      {"Get it f_r_e_e today", "free", "underscores between letters"},
      {"Jetzt k.o.s.t.e.n.l.o.s testen", "kostenlos", "dotted German word"},
      {"Get it fr33 today", "free", "digits for letters"},
      {"Jetzt g3winn3n!", "gewinnen", "digits for letters (German)"},
      {"You can w1n big", "win", "1 for i"},
      {"$ie h@ben gew0nnen", "sie haben gewonnen", "signs and digits in a phrase"},
      {"Get it freeee today", "free", "stretched last letter"},
      {"Get it frrree today", "free", "stretched inner letter"},
      {"Get it \xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85 today", "free", "full-width"},
      {"Get it fr\xD0\xB5\xD0\xB5 today", "free", "Cyrillic look-alike e"},
      {"Get it fr\xE2\x80\x8B"
       "ee today",
       "free", "zero-width space inside"},
      {"Get it \xE2\x80\xAE"
       "free\xE2\x80\xAC today",
       "free", "bidi controls around"},
      {"Get it fr\xC3\xA9"
       "e today",
       "free", "accent on a letter"},
      {"Get it fre\xCC\x81"
       "e today",
       "free", "combining accent"},
      {"CLICK   HERE", "click here", "phrase, extra spaces"},
      {"click-here", "click here", "phrase, punctuation between words"},
      {"clickhere", "click here", "phrase, words run together"},
      {"c l i c k  h e r e", "click here", "phrase, spaced out"},
      {"Totally RISK FREE", "risk-free", "phrase written with a hyphen, text with a space"},
      {"Neu: Kryptowährung kaufen", "krypto", "prefix"},
      {"100 % garantiert", "100% garantiert", "phrase with a number"},
      {"Your OTP: 1234", "otp", "short word"},
      {"bit.ly/abc123 klicken", "bit\\.ly/\\w+", "regex"},
      {"Now 50% OFF everything", "\\d\\d+\\s?% off", "regex, case-insensitive"},
      {"\xE5\x9B\x9E\xE5\xA4\x8D\xE9\x80\x80\xE8\xAE\xA2\xE5\x8D\xB3\xE5\x8F\xAF", "退订",
       "a Han term inside running text"},
      {"free\xFFnow", "free", "an invalid byte separates words"},
      {"a f r e e gift", "free", "spaced out next to a one-letter word"},
      {"\xC3\xB6 f r e e", "free", "spaced out after a non-ASCII one-letter word"},
      {"g e t  f r e e  m o n e y", "free", "a whole sentence spaced out"},
      {"g.e.t f.r.e.e m.o.n.e.y", "free", "dotted words separated by spaces"},
      {"f.r-e_e", "free", "mixed separators"},
      {"f r 3 3", "free", "spaced out digits for letters"},
      {"F R \xD0\x95 E", "free", "spaced out with a Cyrillic capital"},
  };
  for (const ObfuscationCase& c : cases) {
    const Terms found = TermsFound(StarterFilter(), c.text);
    EXPECT_NE(std::find(found.begin(), found.end(), c.term), found.end())
        << c.why << ": \"" << c.text << "\" should match \"" << c.term << "\"";
  }
}

TEST(WordFilter, LeavesInnocentWordsAlone) {
  const std::vector<std::string_view> texts = {
      "Greetings from Scunthorpe",
      "Unsere Gewinnerin steht fest",  // gewinnen, gewinner
      "You are a winner",              // win (the English list has no "winner")
      "A pinnacle of design",          // pin
      "Zur Tankstelle bitte",          // tan
      "Freedom and freelance work",    // free
      "Twin wine in winter",           // win
      "Der Passwortmanager",           // passwort
      "Gratisproben gibt es nicht",    // gratis
      "Isn't an apple a day enough",   // tan across words
      "I saw in the paper",            // win across words
      "Fr. Ee is here",                // free across words
      "Spoton",                        // otp
      "cryptic",                       // crypto is a prefix: "cryptic" is not "crypto..."
      "Bitly links",                   // regex needs bit.ly/
      "Save 5% off",                   // regex needs two digits
      "email info@free.de",            // '@' stands for 'a' here: "infoafree"
      "a b c d e f",                   // spaced-out letters that spell no term
      "Plan B: t a x",                 // tan? no: tax
  };
  for (const std::string_view text : texts) {
    EXPECT_EQ(TermsFound(StarterFilter(), text), Terms{}) << text;
  }
}

TEST(WordFilter, ReportsOffsetsIntoTheOriginalText) {
  struct Case {
    std::string_view text;
    std::string_view matched;  // the original bytes the match must cover
  };
  const std::vector<Case> cases = {
      {"\xC3\x9C"
       "ber: \xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85!",
       "\xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85"},
      {"\xC3\x84rger? fr\xD0\xB5\xD0\xB5 now", "fr\xD0\xB5\xD0\xB5"},
      {"\xE2\x80\x8B"
       "x fr\xE2\x80\x8B"
       "ee\xE2\x80\x8B y",
       "fr\xE2\x80\x8B"
       "ee"},
      {"\xC3\xA4 fre\xCC\x81"
       "e\xCC\x81!",
       "fre\xCC\x81"
       "e\xCC\x81"},
      {"Hey f . r . e . e !", "f . r . e . e"},
      {"\xC3\xB6 f r e e", "f r e e"},
      {"CLICK HERE", "CLICK HERE"},
      {"Neu: Kryptowährung", "Krypto"},
      {"\xE5\x9B\x9E\xE5\xA4\x8D\xE9\x80\x80\xE8\xAE\xA2", "\xE9\x80\x80\xE8\xAE\xA2"},
      {"\xC3\xBC bit.ly/X1", "bit.ly/X1"},
      // Stretched letters and digit swaps: the whole disguised word, in an ASCII text and in one
      // that takes the non-ASCII path.
      {"x freeee!", "freeee"},
      {"Gr\xC3\xBC\xC3\x9F"
       "e: FR33 f\xC3\xBCr alle",
       "FR33"},
      {"Jetzt g3winn3n!", "g3winn3n"},
      {"\xE2\x80\x9Ekostenloooos\xE2\x80\x9C", "kostenloooos"},
  };
  for (const Case& c : cases) {
    const std::vector<WordMatch> matches = StarterFilter().Scan(c.text, "");
    ASSERT_EQ(matches.size(), 1u) << c.text;
    ASSERT_LE(matches[0].begin, matches[0].end);
    ASSERT_LE(matches[0].end, c.text.size());
    EXPECT_EQ(c.text.substr(matches[0].begin, matches[0].end - matches[0].begin), c.matched)
        << c.text;
  }
}

TEST(WordFilter, ReportsEveryOccurrenceInOrderWithTheTermsDetails) {
  const std::vector<WordMatch> matches =
      StarterFilter().Scan("Free! Jetzt gewinnen, free free und gratis", "");
  ASSERT_EQ(matches.size(), 5u);
  const std::vector<std::size_t> begins = {0, 12, 22, 27, 36};
  for (std::size_t i = 0; i < matches.size(); ++i) EXPECT_EQ(matches[i].begin, begins[i]);
  const WordMatch& gewinnen = matches[1];
  EXPECT_EQ(gewinnen.list, "de");
  EXPECT_EQ(gewinnen.version, 3);
  EXPECT_EQ(gewinnen.term, "gewinnen");
  EXPECT_EQ(gewinnen.kind, MatchKind::kWord);
  EXPECT_EQ(gewinnen.severity, Severity::kBlock);
  EXPECT_EQ(gewinnen.note, "prize language");
  EXPECT_EQ(gewinnen.end, 20u);
  EXPECT_EQ(matches[0].list, "en");
  EXPECT_EQ(matches[0].version, 7);
}

TEST(WordFilter, SelectsListsByLanguage) {
  const std::string_view text = "free gratis 退订";
  EXPECT_EQ(TermsFound(StarterFilter(), text, "de"), (Terms{"gratis", "退订"}));
  EXPECT_EQ(TermsFound(StarterFilter(), text, "de_AT"), (Terms{"gratis", "退订"}));
  EXPECT_EQ(TermsFound(StarterFilter(), text, "de-at"), (Terms{"gratis", "退订"}));
  EXPECT_EQ(TermsFound(StarterFilter(), text, "en"), (Terms{"free", "退订"}));
  EXPECT_EQ(TermsFound(StarterFilter(), text, "fr"), (Terms{"free", "gratis", "退订"}));
  EXPECT_EQ(TermsFound(StarterFilter(), text, ""), (Terms{"free", "gratis", "退订"}));
}

// An allow term hides a false positive of its own list; the term itself still matches elsewhere.
TEST(WordFilter, AllowTermHidesAFalsePositiveOfTheSameList) {
  const auto filter = BuildOrDie({MakeList(
      "de", "de", 1, "gewinn,prefix,block,\ngewinnerin,allow,block,known false positive\n")});
  EXPECT_EQ(TermsFound(*filter, "Die Gewinnerin des Preises", "de"), Terms{});
  EXPECT_EQ(TermsFound(*filter, "Jetzt gewinnen", "de"), Terms{"gewinn"});
  EXPECT_EQ(TermsFound(*filter, "Gewinnerin und Gewinnspiel", "de"), Terms{"gewinn"});
}

// The same text as a block word and as a review prefix: both are reported, so a review term can
// never hide a block.
TEST(WordFilter, ReportsABlockAndAReviewTermOfTheSameText) {
  const auto filter =
      BuildOrDie({MakeList("en", "en", 1, "free,prefix,review,\nfree,word,block,\n")});
  const std::vector<WordMatch> matches = filter->Scan("all free", "en");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_TRUE(std::any_of(matches.begin(), matches.end(), [](const WordMatch& m) {
    return m.severity == Severity::kBlock && m.kind == MatchKind::kWord;
  }));
  EXPECT_TRUE(std::any_of(matches.begin(), matches.end(), [](const WordMatch& m) {
    return m.severity == Severity::kReview && m.kind == MatchKind::kPrefix;
  }));
}

// A regional list adds to its base language's list; a language without a list of its own gets
// its base language's, and one without either gets every list, each match reported once.
TEST(WordFilter, SelectsRegionalListsWithTheirBaseLanguage) {
  const auto filter = BuildOrDie({
      MakeList("global", "", 1, "free,word,block,\ngratis zeit,allow,block,\n"),
      MakeList("de", "de", 2, "gratis,word,block,\n"),
      MakeList("de-at", "de-AT", 3, "leiwand,word,review,\n"),
      MakeList("en", "en", 4, "winner,word,block,\n"),
  });
  const std::string_view text = "free gratis leiwand winner, gratis zeit";
  EXPECT_EQ(TermsFound(*filter, text, "de_AT"), (Terms{"free", "gratis", "leiwand"}));
  EXPECT_EQ(TermsFound(*filter, text, "de"), (Terms{"free", "gratis"}));
  EXPECT_EQ(TermsFound(*filter, text, "de-CH"), (Terms{"free", "gratis"}));
  EXPECT_EQ(TermsFound(*filter, text, "en_GB"), (Terms{"free", "winner"}));
  EXPECT_EQ(TermsFound(*filter, text, "fr"), (Terms{"free", "gratis", "leiwand", "winner"}));
  // Scanned with every language's matcher, the global term is still one match, and the global
  // allow term still hides the German match inside it.
  const std::vector<WordMatch> all = filter->Scan(text, "");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].term, "free");
  EXPECT_EQ(all[0].list, "global");
  EXPECT_EQ(all[1].term, "gratis");
  EXPECT_EQ(all[1].end, 11u);
}

TEST(WordFilter, AllowListDropsMatchesInsideAnAllowMatch) {
  const auto filter = BuildOrDie(
      {MakeList("global", "", 1, "pin code reset,allow,review,our own service wording\n"),
       MakeList("de", "de", 1, "pin,word,review,\ntan,word,block,\n")});
  EXPECT_EQ(TermsFound(*filter, "Ihr PIN-Code-Reset ist fertig", "de"), Terms{});
  EXPECT_EQ(TermsFound(*filter, "Ihr PIN-Code-Reset ist fertig, schicken Sie die PIN", "de"),
            Terms{"pin"});
  EXPECT_EQ(TermsFound(*filter, "PIN code reset and TAN", "de"), Terms{"tan"});
}

TEST(WordFilter, CountsTermsAndKeepsTheLists) {
  EXPECT_EQ(StarterFilter().term_count(), 4u + 14u + 7u);
  ASSERT_EQ(StarterFilter().lists().size(), 3u);
  EXPECT_EQ(StarterFilter().lists()[1].name, "de");
  EXPECT_EQ(StarterFilter().dfa_fallbacks(), 0u);
}

struct BadTermCase {
  Term term;
  std::string_view reason;  // part of the error message
};

TEST(ValidateTerm, RejectsTermsThatCannotWorkWithAClearReason) {
  const std::vector<BadTermCase> cases = {
      {MakeTerm("(abc", MatchKind::kRegex), "missing )"},
      {MakeTerm("a)|(b", MatchKind::kRegex), "RE2 rejects it"},
      {MakeTerm("(a{1000}){1000}", MatchKind::kRegex), "invalid repetition size"},
      {MakeTerm("((a|b){50}){50}", MatchKind::kRegex), "invalid repetition size"},
      {MakeTerm("\\pL{100}", MatchKind::kRegex), "too large"},
      {MakeTerm("a*", MatchKind::kRegex), "empty string"},
      {MakeTerm("\\b", MatchKind::kRegex), "empty string"},
      {MakeTerm("^", MatchKind::kRegex), "empty string"},
      {MakeTerm("(?m)$", MatchKind::kRegex), "empty string"},
      {MakeTerm("free|", MatchKind::kRegex), "empty string"},
      {MakeTerm("x?\\B", MatchKind::kRegex), "empty string"},
      {MakeTerm("!!!", MatchKind::kWord), "no letter or digit"},
      {MakeTerm("\xE2\x80\x8B", MatchKind::kPhrase), "no letter or digit"},
      {MakeTerm("", MatchKind::kPrefix), "empty"},
      {MakeTerm(std::string(600, 'a'), MatchKind::kWord), "longer than"},
  };
  for (const BadTermCase& c : cases) {
    const Status status = ValidateTerm(c.term);
    ASSERT_FALSE(status.ok()) << c.term.text;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    const std::string& message = status.error().message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << message;
    EXPECT_NE(message.find("\"" + c.term.text + "\""), std::string::npos)
        << "names the term: " << message;
  }
}

// Found by tests/fuzz/http_fuzz: a term or note with bytes that are not UTF-8 (from a CSV upload)
// was stored and made every answer that shows it JSON that no client can parse.
TEST(ValidateTerm, RejectsTextAndNotesThatAreNotUtf8) {
  EXPECT_FALSE(ValidateTerm(MakeTerm("krypt\xF7o", MatchKind::kPrefix)).ok());
  EXPECT_FALSE(ValidateTerm(MakeTerm("\xC0\x80"
                                     "free",
                                     MatchKind::kWord))
                   .ok());
  Term noted = MakeTerm("gratis", MatchKind::kWord);
  noted.note = "spam \xFF";
  EXPECT_FALSE(ValidateTerm(noted).ok());
  noted.note = "Spam-Auslöser";
  EXPECT_TRUE(ValidateTerm(noted).ok());
}

TEST(ValidateTerm, RejectsRegexTermsThatMatchASingleCharacter) {
  // Each would match nearly every text: one match per character of a long one (issue 15).
  for (const char* regex : {"\\C", ".", "\\w", "[a-z]", "\\d", "\\s", "[^x]", "\\pL", "(?s).", "x",
                            "\\p{Han}", "\\bq\\b", "[0-9]+"}) {
    const Status status = ValidateTerm(MakeTerm(regex, MatchKind::kRegex));
    ASSERT_FALSE(status.ok()) << regex;
    EXPECT_NE(status.error().message.find("matches a single character"), std::string::npos)
        << status.error().message;
    EXPECT_NE(status.error().message.find(std::string("\"") + regex + "\""), std::string::npos)
        << "names the term: " << status.error().message;
  }
  // Short but not single characters: a number of six digits, a two-letter word.
  EXPECT_TRUE(ValidateTerm(MakeTerm("\\d{6}", MatchKind::kRegex)).ok());
  EXPECT_TRUE(ValidateTerm(MakeTerm("\\bok\\b", MatchKind::kRegex)).ok());
  EXPECT_TRUE(ValidateTerm(MakeTerm("x", MatchKind::kWord)).ok())
      << "a one-letter word term is fine";
}

TEST(ValidateTerm, AcceptsUsefulTerms) {
  const std::vector<Term> terms = {
      MakeTerm("\\bbit\\.ly/\\w+", MatchKind::kRegex),
      MakeTerm("\\d{4,} ?\xE2\x82\xAC", MatchKind::kRegex),
      MakeTerm("(?m)^stop$", MatchKind::kRegex),
      MakeTerm("100% garantiert", MatchKind::kPhrase),
      MakeTerm("e-mail", MatchKind::kWord),
      MakeTerm("\xE9\x80\x80\xE8\xAE\xA2", MatchKind::kWord),
      MakeTerm("gutschein einlösen", MatchKind::kPhrase),
      MakeTerm("krypto", MatchKind::kPrefix),
  };
  for (const Term& term : terms) {
    const Status status = ValidateTerm(term);
    EXPECT_TRUE(status.ok()) << term.text << ": " << status.error().message;
  }
}

TEST(WordFilter, BuildFailsNamingTheListAndTerm) {
  Result<std::shared_ptr<const WordFilter>> filter = WordFilter::Build(
      {GermanList(), MakeList("en", "en", 9, "ok,word,block,\n(x,regex,block,\n")});
  ASSERT_FALSE(filter.ok());
  EXPECT_NE(filter.error().message.find("list \"en\" version 9"), std::string::npos)
      << filter.error().message;
  EXPECT_NE(filter.error().message.find("regex term \"(x\""), std::string::npos)
      << filter.error().message;
}

// Every scan sees one filter, whole: while filters are swapped (and old ones destroyed) under
// running scans, each scan reports exactly the one match of the version it loaded.
TEST(WordFilterSlot, ScansDuringSwapsSeeExactlyOneVersion) {
  // Odd versions list "alpha", even versions "beta"; the text holds both.
  const auto build_version = [](std::int64_t version) {
    return BuildOrDie({MakeList("de", "de", version,
                                version % 2 == 1 ? "alpha,word,block,\n" : "beta,word,block,\n")});
  };
  WordFilterSlot slot(build_version(1));
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> scans{0};
  std::atomic<std::int64_t> inconsistent{0};
  std::vector<std::thread> scanners;
  for (int t = 0; t < 2; ++t) {
    scanners.emplace_back([&] {
      while (!stop.load()) {
        const std::vector<WordMatch> matches = slot.Load()->Scan("Alpha und Beta", "de");
        const bool consistent = matches.size() == 1 &&
                                matches[0].term == (matches[0].version % 2 == 1 ? "alpha" : "beta");
        if (!consistent) inconsistent.fetch_add(1);
        scans.fetch_add(1);
      }
    });
  }
  std::int64_t released_here = 0;
  for (std::int64_t version = 2; version <= 200; ++version) {
    std::shared_ptr<const WordFilter> previous = slot.Exchange(build_version(version));
    if (version % 2 == 0) {
      previous.reset();  // dies as soon as no scan holds it, on whichever thread lets go last
    } else {
      released_here += ReleaseWhenUnshared(std::move(previous)) ? 1 : 0;  // dies on this thread
    }
    const std::int64_t seen = scans.load();
    while (scans.load() < seen + 2) std::this_thread::yield();  // let scans overlap each swap
  }
  stop.store(true);
  for (std::thread& scanner : scanners) scanner.join();
  EXPECT_EQ(inconsistent.load(), 0) << "of " << scans.load() << " scans";
  EXPECT_GE(scans.load(), 2 * 199);
  EXPECT_EQ(slot.Load()->lists()[0].version, 200);
  EXPECT_EQ(released_here, 99);
}

// Scans on many threads at once, each term's locator compiled lazily by whichever gets there
// first, agree with a scan on one thread.
TEST(WordFilter, ConcurrentScansAgreeWithASingleThread) {
  const std::vector<std::string> texts = {"Free! Jetzt gewinnen", "f r e e und gratis",
                                          "bit.ly/x 50% off", "Kryptowährung, TAN, PIN, OTP"};
  std::vector<std::vector<WordMatch>> expected;
  const auto reference = BuildOrDie({GlobalList(), GermanList(), EnglishList()});
  for (const std::string& text : texts) expected.push_back(reference->Scan(text, ""));
  const auto fresh = BuildOrDie({GlobalList(), GermanList(), EnglishList()});
  std::atomic<int> disagreements{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        const std::size_t i = static_cast<std::size_t>(round + t) % texts.size();
        const std::vector<WordMatch> matches = fresh->Scan(texts[i], "");
        if (matches.size() != expected[i].size()) {
          disagreements.fetch_add(1);
          continue;
        }
        for (std::size_t m = 0; m < matches.size(); ++m) {
          if (matches[m].term != expected[i][m].term || matches[m].begin != expected[i][m].begin ||
              matches[m].end != expected[i][m].end) {
            disagreements.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(disagreements.load(), 0);
}

std::vector<std::string> Describe(std::vector<WordMatch> matches) {
  std::vector<std::string> described;
  for (const WordMatch& m : matches) {
    described.push_back(m.term + "@" + std::to_string(m.begin) + "-" + std::to_string(m.end) +
                        (m.kind == MatchKind::kAllow ? " (allow)" : ""));
  }
  std::sort(described.begin(), described.end());
  described.erase(std::unique(described.begin(), described.end()), described.end());
  return described;
}

// The fallback for a Set that cannot answer (each term on its own) finds what the Set path does.
TEST(ListMatcher, MatchingEachTermOnItsOwnFindsWhatTheSetFinds) {
  WordList global = GlobalList();
  global.terms.push_back(MakeTerm("pin code", MatchKind::kAllow));
  const std::vector<WordList> lists = {GermanList(), global};
  const std::vector<std::string_view> texts = {
      "Jetzt g3winn3n und k.o.s.t.e.n.l.o.s testen!", "Ihr PIN code, Ihre TAN, Ihr Gewinner",
      "\xE5\x9B\x9E\xE5\xA4\x8D\xE9\x80\x80\xE8\xAE\xA2 bit.ly/abc 99 % OFF", "nichts zu sehen",
      "Kryptob\xC3\xB6rse, 100% garantiert, sie haben gewonnen"};
  std::size_t matches_seen = 0;
  for (const WordList& list : lists) {
    const OneListMatcher matcher(list);
    for (const std::string_view text : texts) {
      const std::vector<WordMatch> by_set = matcher.Scan(text);
      EXPECT_EQ(Describe(matcher.ScanEachTerm(text)), Describe(by_set)) << text;
      matches_seen += by_set.size();
    }
  }
  EXPECT_GE(matches_seen, 10u);
}

// A memory budget too small for the regex Set fails the build, naming the list; a budget
// that builds scans exactly like a generous one. Never a skipped check.
TEST(WordFilter, TightMemoryFailsTheBuildOrScansExactly) {
  std::vector<WordList> lists = {GlobalList(), GermanList(), EnglishList()};
  const auto generous = BuildOrDie(lists);
  const std::vector<std::string_view> texts = {
      "Free! Jetzt gewinnen", "f r e e und g r a t i s", "zz zzz zzzz bit.ly/q 10% off",
      "Kryptowährung, TAN, PIN, OTP, Passwort, sie haben gewonnen, 100% garantiert"};
  bool failed_once = false;
  bool built_once = false;
  for (std::int64_t budget = 1 << 9; budget <= 8 << 20; budget = budget * 3 / 2) {
    WordFilterOptions options;
    options.max_matcher_memory_bytes = budget;
    Result<std::shared_ptr<const WordFilter>> tight = WordFilter::Build(lists, options);
    if (!tight.ok()) {
      failed_once = true;
      EXPECT_EQ(tight.error().code, ErrorCode::kResourceExhausted);
      // The lists scanned together are named: "lists "global" version 1 and "de" version 3".
      EXPECT_EQ(tight.error().message.rfind("list", 0), 0u) << tight.error().message;
      EXPECT_NE(tight.error().message.find("\"global\" version 1"), std::string::npos);
      EXPECT_NE(tight.error().message.find("max_matcher_memory_bytes"), std::string::npos);
      continue;
    }
    built_once = true;
    for (const std::string_view text : texts) {
      EXPECT_EQ(Describe((*tight)->Scan(text, "")), Describe(generous->Scan(text, "")))
          << "budget " << budget << ": " << text;
    }
  }
  EXPECT_TRUE(failed_once);
  EXPECT_TRUE(built_once);
}

}  // namespace
}  // namespace herald::compliance
