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
  // LanguageTag::Key() of each template ("pt_br"): lookups compare keys, so a decision parses
  // and allocates nothing (a recipient's language is folded the same way, LanguageKey).
  std::vector<std::string> keys;
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
    data->keys.push_back(language->Key());
    data->languages.push_back(std::move(*language));
  }
  TemplateCatalog catalog;
  catalog.data_ = std::move(data);
  return catalog;
}

namespace {

// One subtag less of a key: "zh_hant_tw" -> "zh_hant" -> "zh" -> "" (LanguageTag::Parent on keys).
std::string_view ParentKey(std::string_view key) {
  const std::size_t cut = key.rfind('_');
  return cut == std::string_view::npos ? std::string_view() : key.substr(0, cut);
}

// The template of `indices` whose language key is `key`, or null.
const CompiledTemplate* WithKey(const std::vector<CompiledTemplate>& templates,
                                const std::vector<std::string>& keys,
                                const std::vector<std::size_t>& indices, std::string_view key) {
  for (std::size_t index : indices) {
    if (keys[index] == key) return &templates[index];
  }
  return nullptr;
}

}  // namespace

const CompiledTemplate* TemplateCatalog::Find(std::string_view name,
                                              std::string_view language) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end()) return nullptr;
  // A text that is not a valid tag folds to a key no template has.
  return WithKey(data_->templates, data_->keys, found->second, LanguageKey(language));
}

const CompiledTemplate* TemplateCatalog::Resolve(std::string_view name, std::string_view language,
                                                 std::string_view default_language) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end()) return nullptr;
  for (std::string_view start : {language, default_language}) {
    const std::string key = LanguageKey(start);  // short: no allocation
    for (std::string_view candidate = key; !candidate.empty(); candidate = ParentKey(candidate)) {
      if (const CompiledTemplate* hit =
              WithKey(data_->templates, data_->keys, found->second, candidate)) {
        return hit;
      }
    }
  }
  return nullptr;
}

const CompiledTemplate* TemplateCatalog::AnyLanguage(std::string_view name) const {
  auto found = data_->by_name.find(name);
  if (found == data_->by_name.end() || found->second.empty()) return nullptr;
  return &data_->templates[found->second.front()];
}

std::size_t TemplateCatalog::size() const { return data_->templates.size(); }

}  // namespace herald::compliance
