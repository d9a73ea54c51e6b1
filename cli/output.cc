// Output helpers shared by subcommands (declared in cli/command.h).
#include <boost/json/serialize.hpp>
#include <string>

#include "cli/command.h"

namespace herald::cli {
namespace {

// Boost.JSON 1.81 serializes compactly only; this indents, keeping scalars as Boost writes them.
void WritePretty(std::ostream& out, const boost::json::value& json, int depth) {
  const std::string indent(static_cast<size_t>(depth + 1) * 2, ' ');
  const std::string closing_indent(static_cast<size_t>(depth) * 2, ' ');
  if (const boost::json::object* object = json.if_object()) {
    if (object->empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    bool first = true;
    for (const auto& member : *object) {
      if (!first) out << ",\n";
      first = false;
      out << indent << boost::json::serialize(boost::json::string(member.key())) << ": ";
      WritePretty(out, member.value(), depth + 1);
    }
    out << "\n" << closing_indent << "}";
  } else if (const boost::json::array* array = json.if_array()) {
    if (array->empty()) {
      out << "[]";
      return;
    }
    out << "[\n";
    bool first = true;
    for (const boost::json::value& element : *array) {
      if (!first) out << ",\n";
      first = false;
      out << indent;
      WritePretty(out, element, depth + 1);
    }
    out << "\n" << closing_indent << "]";
  } else {
    out << boost::json::serialize(json);
  }
}

}  // namespace

void PrintJson(std::ostream& out, const boost::json::value& json) {
  WritePretty(out, json, 0);
  out << "\n";
}

}  // namespace herald::cli
