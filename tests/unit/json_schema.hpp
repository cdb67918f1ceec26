// A small validator for the subset of JSON Schema (2020-12) that the schemas in schemas/ use:
// type, enum, required, properties, additionalProperties: false, items, anyOf, oneOf and local
// "$ref": "#/$defs/NAME". Not evaluated: pattern, formats, numeric bounds.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dossier::test {

// Every way `value` fails `schema` (empty: valid). `root` resolves "$ref".
inline std::vector<std::string> schema_errors(const nlohmann::json& value, const nlohmann::json& schema,
                                              const nlohmann::json& root, const std::string& where = "$") {
  std::vector<std::string> errors;
  auto add = [&](const std::vector<std::string>& more) { errors.insert(errors.end(), more.begin(), more.end()); };
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root["$defs"].contains(ref.substr(prefix.size()))) {
      return {where + ": unresolved $ref " + ref};
    }
    add(schema_errors(value, root["$defs"][ref.substr(prefix.size())], root, where));
  }
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (!schema.contains(combinator)) continue;
    std::size_t matches = 0;
    for (const auto& alternative : schema[combinator]) matches += schema_errors(value, alternative, root, where).empty() ? 1u : 0u;
    const bool ok = std::string(combinator) == "anyOf" ? matches >= 1 : matches == 1;
    if (!ok) errors.push_back(where + ": " + std::to_string(matches) + " alternatives of " + combinator + " match");
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == value;
    if (!found) errors.push_back(where + ": " + value.dump() + " not in " + schema["enum"].dump());
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array()) {
      for (const auto& t : schema["type"]) types.push_back(t);
    } else {
      types.push_back(schema["type"]);
    }
    bool ok = false;
    for (const auto& t : types) {
      ok = ok || (t == "object" && value.is_object()) || (t == "array" && value.is_array()) ||
           (t == "string" && value.is_string()) || (t == "integer" && value.is_number_integer()) ||
           (t == "number" && value.is_number()) || (t == "boolean" && value.is_boolean()) ||
           (t == "null" && value.is_null());
    }
    if (!ok) errors.push_back(where + ": " + value.dump() + " is not " + schema["type"].dump());
  }
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& r : schema.value("required", nlohmann::json::array())) {
      if (!value.contains(r.get<std::string>())) errors.push_back(where + " lacks " + r.get<std::string>());
    }
    for (const auto& [k, v] : value.items()) {
      if (!schema["properties"].contains(k)) {
        if (schema.value("additionalProperties", true) == false) errors.push_back(where + " has unexpected " + k);
        continue;
      }
      add(schema_errors(v, schema["properties"][k], root, where + "." + k));
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      add(schema_errors(value[i], schema["items"], root, where + "[" + std::to_string(i) + "]"));
    }
  }
  return errors;
}

}  // namespace dossier::test
