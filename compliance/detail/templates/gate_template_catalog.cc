// TemplateCatalog (templates.h): templates by name, then by language with the fallback chain.
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/language_tag.h"
#include "compliance/templates.h"

namespace herald::compliance {
namespace {

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const {
    return std::hash<std::string_view>{}(name);
  }
};

}  // namespace

struct TemplateCatalog::Data {
  std::vector<CompiledTemplate> templates;
  std::vector<LanguageTag> languages;  // of each template, parsed
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
    Result<LanguageTag> language = LanguageTag::Parse(added.language);
    if (!language.ok()) {  // CompileTemplate checked it
      return MakeError(ErrorCode::kInvalidArgument, language.error().message,
                       added.name + "/" + added.language + ": language");
    }
    std::vector<std::size_t>& indices = data->by_name[added.name];
    for (std::size_t index : indices) {
      if (data->languages[index] == *language) {
        return MakeError(ErrorCode::kAlreadyExists,
                         "template \"" + added.name + "\" is given twice for language \"" +
                             added.language + "\"",
                         added.name + "/" + added.language);
      }
    }
    indices.push_back(data->templates.size());
    data->templates.push_back(std::move(compiled).value());
    data->languages.push_back(std::move(*language));
  }
  TemplateCatalog catalog;
  catalog.data_ = std::move(data);
  return catalog;
}

const CompiledTemplate* TemplateCatalog::Find(std::string_view name,
                                              std::string_view language) const {
  auto found = data_->by_name.find(name);
  const Result<LanguageTag> tag = LanguageTag::Parse(language);
  if (found == data_->by_name.end() || !tag.ok()) return nullptr;
  for (std::size_t index : found->second) {
    if (data_->languages[index] == *tag) return &data_->templates[index];
  }
  return nullptr;
}

const CompiledTemplate* TemplateCatalog::Resolve(std::string_view name, std::string_view language,
                                                 std::string_view default_language) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end()) return nullptr;
  for (std::string_view start : {language, default_language}) {
    Result<LanguageTag> tag = LanguageTag::Parse(start);
    if (!tag.ok()) continue;  // no template has that language, nor any parent of it
    for (std::optional<LanguageTag> candidate = std::move(*tag); candidate;
         candidate = candidate->Parent()) {
      for (std::size_t index : found->second) {
        if (data_->languages[index] == *candidate) return &data_->templates[index];
      }
    }
  }
  return nullptr;
}

std::size_t TemplateCatalog::size() const { return data_->templates.size(); }

}  // namespace herald::compliance
