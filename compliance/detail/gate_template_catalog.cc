// TemplateCatalog (templates.h): templates by name, then by language with the fallback chain.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compliance/templates.h"

namespace herald::compliance {
namespace {

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const {
    return std::hash<std::string_view>{}(name);
  }
};

char FoldLanguageChar(char c) {
  if (c == '-') return '_';
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// "pt-BR" equals "pt_br": platform codes use '_', contacts may carry BCP 47 spellings.
bool SameLanguage(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (FoldLanguageChar(a[i]) != FoldLanguageChar(b[i])) return false;
  }
  return true;
}

// "de_AT" -> "de", "zh_Hant_TW" -> "zh_Hant", "de" -> "".
std::string_view ParentLanguage(std::string_view language) {
  const std::size_t cut = language.find_last_of("_-");
  return cut == std::string_view::npos ? std::string_view() : language.substr(0, cut);
}

}  // namespace

struct TemplateCatalog::Data {
  std::vector<CompiledTemplate> templates;
  // name -> indices into `templates`, one per language
  std::unordered_map<std::string, std::vector<std::size_t>, NameHash, std::equal_to<>> by_name;
};

TemplateCatalog::TemplateCatalog() : data_(std::make_shared<Data>()) {}

Result<TemplateCatalog> TemplateCatalog::Build(std::vector<MessageTemplate> templates) {
  auto data = std::make_shared<Data>();
  data->templates.reserve(templates.size());
  for (MessageTemplate& source : templates) {
    Result<CompiledTemplate> compiled = CompileTemplate(std::move(source));
    if (!compiled.ok()) return std::move(compiled).error();
    const MessageTemplate& added = compiled->source;
    std::vector<std::size_t>& languages = data->by_name[added.name];
    for (std::size_t index : languages) {
      if (SameLanguage(data->templates[index].source.language, added.language)) {
        return MakeError(ErrorCode::kAlreadyExists,
                         "template \"" + added.name + "\" is given twice for language \"" +
                             added.language + "\"",
                         added.name + "/" + added.language);
      }
    }
    languages.push_back(data->templates.size());
    data->templates.push_back(std::move(compiled).value());
  }
  TemplateCatalog catalog;
  catalog.data_ = std::move(data);
  return catalog;
}

const CompiledTemplate* TemplateCatalog::Find(std::string_view name,
                                              std::string_view language) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end()) return nullptr;
  for (std::size_t index : found->second) {
    if (SameLanguage(data_->templates[index].source.language, language)) {
      return &data_->templates[index];
    }
  }
  return nullptr;
}

const CompiledTemplate* TemplateCatalog::Resolve(std::string_view name, std::string_view language,
                                                 std::string_view default_language) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end()) return nullptr;
  for (std::string_view start : {language, default_language}) {
    for (std::string_view candidate = start; !candidate.empty();
         candidate = ParentLanguage(candidate)) {
      for (std::size_t index : found->second) {
        if (SameLanguage(data_->templates[index].source.language, candidate)) {
          return &data_->templates[index];
        }
      }
    }
  }
  return nullptr;
}

std::size_t TemplateCatalog::size() const { return data_->templates.size(); }

}  // namespace herald::compliance
