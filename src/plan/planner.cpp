#include <algorithm>
#include <fstream>
#include <queue>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "connectors/local_destination.h"
#include "connectors/registry.h"
#include "engine/sql.h"
#include "lang/condition.h"
#include "lang/json_text.h"
#include "lang/lexer.h"
#include "lang/parser.h"
#include "lang/variables.h"
#include "plan/plan.h"
#include "plan/sql_analyzer.h"
#include "util/strings.h"

namespace sqlflow::plan {

using common::Diagnostic;
using common::Location;
using lang::Statement;
using lang::Value;

const char* StepKindName(Step::Kind kind) {
  switch (kind) {
    case Step::Kind::kSource:
      return "source";
    case Step::Kind::kLoad:
      return "load";
    case Step::Kind::kTransform:
      return "transform";
    case Step::Kind::kExport:
      return "export";
    case Step::Kind::kSql:
      return "sql";
  }
  return "?";
}

namespace {

std::string Slug(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "unnamed" : out;
}

// DuckDB's readers take `columns` in the file's order, but nlohmann::json sorts keys: an object
// parameter written in the pipeline is handed on as a list of one-entry objects in written order.
void KeepWrittenOrder(nlohmann::json& params, const nlohmann::ordered_json& written,
                      const std::vector<connectors::ParamSpec>& specs) {
  for (const auto& [key, value] : written.items()) {
    const connectors::ParamSpec* spec = connectors::SpecFor(specs, key);
    if (!spec || spec->type != connectors::ParamType::kObject || !value.is_object()) continue;
    if (!params.contains(spec->name) || !params[spec->name].is_object()) continue;
    nlohmann::json ordered = nlohmann::json::array();
    for (const auto& [name, item] : value.items())
      ordered.push_back({{name, nlohmann::json::parse(item.dump())}});
    params[spec->name] = std::move(ordered);
  }
}

// Text after variable substitution, with enough bookkeeping to map a position in it back to the
// source: copied runs keep their offsets, a substituted value maps to its reference.
struct Substituted {
  struct Run {
    size_t out_start;
    size_t raw_start;
    size_t length;
  };
  std::string text;
  std::vector<Run> runs;
  bool complete = true;  // false when a variable had no value

  // The source offset (relative to the substituted text's origin) of position `pos`.
  size_t SourceOffset(size_t pos) const {
    size_t offset = 0;
    for (const Run& run : runs) {
      if (pos < run.out_start) break;
      offset = pos < run.out_start + run.length ? run.raw_start + (pos - run.out_start)
                                                : run.raw_start + run.length;
    }
    return offset;
  }
};

// `in` with `edits` (offsets into in.text) applied; unchanged text keeps its source mapping.
Substituted ApplyEdits(const Substituted& in, const std::vector<TextEdit>& edits) {
  Substituted out;
  out.complete = in.complete;
  auto keep = [&](size_t begin, size_t end) {
    for (const auto& run : in.runs) {
      size_t from = std::max(begin, run.out_start);
      size_t to = std::min(end, run.out_start + run.length);
      if (from >= to) continue;
      out.runs.push_back(
          {out.text.size() + (from - begin), run.raw_start + (from - run.out_start), to - from});
    }
    out.text += in.text.substr(begin, end - begin);
  };
  size_t copied = 0;
  for (const auto& edit : edits) {
    keep(copied, edit.begin);
    out.text += edit.replacement;
    copied = edit.end;
  }
  keep(copied, in.text.size());
  return out;
}

// The CREATE [OR REPLACE] [TEMP] TABLE|VIEW [IF NOT EXISTS] name of a plain SQL statement, if any.
std::string CreatedName(const std::string& sql) {
  // The lexer keeps quoted names whole ("Order Lines") and skips comments.
  auto file = std::make_shared<const common::SourceFile>("", sql);
  std::vector<lang::Token> tokens = lang::Tokenize(file).tokens;
  size_t i = 0;
  auto is = [&](const char* keyword) { return i < tokens.size() && tokens[i].IsWord(keyword); };
  if (!is("CREATE")) return "";
  ++i;
  if (is("OR")) i += 2;
  if (is("TEMP") || is("TEMPORARY")) ++i;
  if (!is("TABLE") && !is("VIEW")) return "";
  ++i;
  if (is("IF")) i += 3;
  // A dotted name: part (. part)*
  std::string name;
  while (i < tokens.size() &&
         (tokens[i].kind == lang::Token::Kind::kWord || tokens[i].kind == lang::Token::Kind::kQuotedIdent)) {
    name += tokens[i].text;
    if (i + 1 < tokens.size() && tokens[i + 1].IsPunct(".")) {
      name += '.';
      i += 2;
    } else {
      break;
    }
  }
  return name;
}

// CREATE TEMP ..., SET (not GLOBAL), RESET, USE: state that lives in one connection.
bool ChangesSession(const std::string& sql) {
  auto file = std::make_shared<const common::SourceFile>("", sql);
  std::vector<lang::Token> tokens = lang::Tokenize(file).tokens;
  auto word = [&](size_t i, const char* keyword) { return i < tokens.size() && tokens[i].IsWord(keyword); };
  if (word(0, "USE") || word(0, "RESET")) return true;
  if (word(0, "SET")) return !word(1, "GLOBAL");
  if (!word(0, "CREATE")) return false;
  size_t i = word(1, "OR") ? 3 : 1;
  return word(i, "TEMP") || word(i, "TEMPORARY");
}

class Planner {
 public:
  explicit Planner(const PlanOptions& options) : options_(options) {}

  Plan Build(const std::filesystem::path& file) {
    Plan plan;
    plan.file = file;
    plan.pipeline = file.stem().string();
    pipeline_ = plan.pipeline;
    WalkFile(file, Location{});
    // Parse errors leave statements out of the flow; resolving tables then would only add noise.
    if (!parse_failed_) ResolveDependencies();
    ReportUndefinedVariables();
    if (!diagnostics_.empty()) {
      std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                       [](const Diagnostic& a, const Diagnostic& b) {
                         std::string a_path = a.location.path(), b_path = b.location.path();
                         return a_path != b_path ? a_path < b_path : a.location.offset < b.location.offset;
                       });
      throw common::SqlflowError(std::move(diagnostics_));
    }
    plan.steps = Order();
    if (!diagnostics_.empty()) throw common::SqlflowError(std::move(diagnostics_));
    plan.variables = resolved_;
    for (const auto& [name, value] : options_.cli_variables) plan.variables[name] = value;
    for (const auto& [name, value] : options_.profile_variables) plan.variables.emplace(name, value);
    for (const auto& [name, value] : set_variables_) plan.variables.emplace(name, value);
    plan.secret_variables = options_.secret_variables;
    return plan;
  }

 private:
  void Error(Location location, std::string code, std::string message, std::string hint = "",
             std::vector<std::string> notes = {}) {
    diagnostics_.push_back(Diagnostic{std::move(code), std::move(message), std::move(location),
                                      std::move(hint), std::move(notes)});
  }

  // ---- variables -----------------------------------------------------------------------------
  std::optional<Value> Lookup(const std::string& name) {
    std::optional<Value> value;
    if (auto it = options_.cli_variables.find(name); it != options_.cli_variables.end()) {
      value = it->second;
    } else if (auto it2 = options_.profile_variables.find(name); it2 != options_.profile_variables.end()) {
      value = it2->second;
    } else if (auto it3 = set_variables_.find(name); it3 != set_variables_.end()) {
      value = it3->second;
    } else if (options_.environment) {
      if (auto env = options_.environment(name)) value = Value::Text(*env);
    }
    if (value) {
      resolved_[name] = *value;
      NoteSecret(name, *value);
    }
    return value;
  }

  // A secret variable's value joins the process's redactor, so that nothing prints it.
  void NoteSecret(const std::string& name, const Value& value) const {
    if (IsSecretName(name) || options_.secret_variables.count(name) > 0) util::AddSecretValue(value.text);
  }

  std::optional<Value> LookupWithDefault(const lang::VariableReference& reference, const Location& where) {
    if (auto value = Lookup(reference.name)) return value;
    if (reference.default_value) {
      Value value = lang::ValueFromText(*reference.default_value);
      NoteSecret(reference.name, value);
      return value;
    }
    undefined_[reference.name].push_back(where);
    return std::nullopt;
  }

  // How values are written: as text (paths, names), into SQL (escaped inside quoted strings and
  // identifiers, raw elsewhere), or into JSON (escaped inside strings, a typed JSON value elsewhere).
  enum class Splice { kText, kSql, kJson };

  Substituted Substitute(const lang::Text& text, Splice splice = Splice::kText) {
    Substituted out;
    auto file = std::make_shared<const common::SourceFile>("", text.raw);
    std::vector<lang::Token> tokens =
        splice == Splice::kSql ? lang::Tokenize(file).tokens : std::vector<lang::Token>{};
    auto copy = [&](size_t from, size_t to) {
      out.runs.push_back({out.text.size(), from, to - from});
      out.text += text.raw.substr(from, to - from);
    };
    size_t copied = 0;
    for (const auto& reference : lang::FindVariableReferences(text.raw)) {
      Location where = text.location.Advanced(reference.offset);
      if (reference.length == 0) {
        Error(where, "SF-VAR-002", "unterminated variable reference", "write ${name} or ${name|default}");
        out.complete = false;
        break;
      }
      copy(copied, reference.offset);
      copied = reference.offset + reference.length;
      std::optional<Value> value = LookupWithDefault(reference, where);
      if (!value) {
        out.complete = false;
        continue;
      }
      if (splice == Splice::kText) {
        out.text += value->text;
      } else if (splice == Splice::kSql) {
        out.text += lang::QuoteForSql(value->text, lang::SqlQuotingAt(tokens, reference.offset));
      } else if (InsideJsonString(text.raw, reference.offset)) {
        std::string dumped = nlohmann::json(value->text).dump();
        out.text += dumped.substr(1, dumped.size() - 2);
      } else {
        out.text += JsonLiteral(*value);
      }
    }
    copy(copied, text.raw.size());
    return out;
  }

  static bool InsideJsonString(const std::string& text, size_t offset) {
    bool inside = false;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\\' && inside) {
        ++i;
      } else if (text[i] == '"') {
        inside = !inside;
      }
    }
    return inside;
  }

  static std::string JsonLiteral(const Value& value) {
    switch (value.kind) {
      case Value::Kind::kNull:
        return "null";
      case Value::Kind::kBool:
        return util::EqualsIgnoreCase(value.text, "true") ? "true" : "false";
      case Value::Kind::kNumber:
        return value.text;
      case Value::Kind::kText:
        return nlohmann::json(value.text).dump();
    }
    return "null";
  }

  Value EvaluateSetValue(const lang::Text& literal) {
    const std::string& raw = literal.raw;
    if (raw.size() >= 2 && (raw.front() == '\'' || raw.front() == '"')) {
      lang::Text inner{raw.substr(1, raw.size() - 2), literal.location.Advanced(1)};
      std::string text = Substitute(inner).text;
      std::string doubled(2, raw.front());
      for (size_t pos = 0; (pos = text.find(doubled, pos)) != std::string::npos; ++pos) text.erase(pos, 1);
      // A quoted value that is exactly one reference keeps the referenced value's type.
      auto references = lang::FindVariableReferences(inner.raw);
      if (references.size() == 1 && references[0].offset == 0 && references[0].length == inner.raw.size()) {
        if (auto value = LookupWithDefault(references[0], inner.location)) return *value;
      }
      return Value::Text(text);
    }
    if (util::StartsWith(raw, "${")) {
      auto references = lang::FindVariableReferences(raw);
      if (!references.empty()) {
        if (auto value = LookupWithDefault(references[0], literal.location)) return *value;
      }
      return Value::Null();
    }
    if (util::EqualsIgnoreCase(raw, "null")) return Value::Null();
    return lang::ValueFromText(raw);
  }

  void ReportUndefinedVariables() {
    for (auto& [name, uses] : undefined_) {
      std::stable_sort(uses.begin(), uses.end(), [](const Location& a, const Location& b) {
        return a.path() != b.path() ? a.path() < b.path() : a.offset < b.offset;
      });
      uses.erase(std::unique(uses.begin(), uses.end(),
                             [](const Location& a, const Location& b) {
                               return a.file == b.file && a.offset == b.offset;
                             }),
                 uses.end());
      std::vector<std::string> notes;
      for (size_t i = 1; i < uses.size(); ++i) notes.push_back("also used at " + uses[i].ToString());
      Error(uses.front(), "SF-VAR-001", fmt::format("undefined variable '{}'", name),
            fmt::format("give it a value: --vars '{{\"{}\": ...}}', a profile variable, SET {} = ...; or a "
                        "default ${{{}|value}}",
                        name, name, name),
            notes);
    }
  }

  // ---- walking the statements ----------------------------------------------------------------
  void WalkFile(const std::filesystem::path& path, const Location& included_from) {
    std::error_code error;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
    if (std::find(include_stack_.begin(), include_stack_.end(), canonical) != include_stack_.end()) {
      std::vector<std::string> chain;
      auto start = std::find(include_stack_.begin(), include_stack_.end(), canonical);
      for (auto it = start; it != include_stack_.end(); ++it) chain.push_back(it->filename().string());
      chain.push_back(canonical.filename().string());
      Error(included_from, "SF-PLAN-010", "include cycle: " + util::Join(chain, " -> "),
            "a file may not include itself, directly or through other files");
      return;
    }
    if (include_stack_.size() == lang::kMaxIncludeDepth) {
      Error(included_from, "SF-PLAN-012",
            fmt::format("INCLUDEs nested more than {} files deep", lang::kMaxIncludeDepth),
            "include the shared files from one place instead of from each other");
      return;
    }
    // A folder opens like a file and reads as empty: it must not pass for an empty pipeline. A
    // device such as /dev/zero never ends, a named pipe may never open.
    std::ifstream in;
    bool readable = std::filesystem::is_regular_file(path, error);
    if (readable) in.open(path, std::ios::binary);
    readable = readable && in;
    if (!readable || std::filesystem::file_size(path, error) > lang::kMaxSourceFileBytes) {
      std::string what = included_from.valid() ? "included file" : "pipeline file";
      std::string problem = !readable ? fmt::format("cannot read {} '{}'", what, path.string())
                                      : fmt::format("{} '{}' is larger than {} MiB", what, path.string(),
                                                    lang::kMaxSourceFileBytes >> 20);
      if (!included_from.valid()) throw common::UsageError("SF-CLI-003", problem);
      Error(included_from, "SF-PLAN-011", problem, "INCLUDE paths are relative to the including file");
      return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto source = std::make_shared<const common::SourceFile>(DisplayPath(path), buffer.str());
    lang::ParseResult parsed = lang::Parse(source);
    parse_failed_ = parse_failed_ || !parsed.diagnostics.empty();
    for (auto& diagnostic : parsed.diagnostics) diagnostics_.push_back(std::move(diagnostic));
    include_stack_.push_back(canonical);
    Walk(parsed.statements, path);
    include_stack_.pop_back();
  }

  std::string DisplayPath(const std::filesystem::path& path) const {
    std::error_code error;
    if (!options_.project_root.empty()) {
      auto relative = std::filesystem::relative(path, options_.project_root, error);
      if (!error && !relative.empty() && !util::StartsWith(relative.string(), "..")) return relative.string();
    }
    return path.string();
  }

  void Walk(const std::vector<Statement>& statements, const std::filesystem::path& file) {
    for (const Statement& statement : statements) {
      switch (statement.kind) {
        case Statement::Kind::kSet: {
          const std::string& name = statement.set->name.raw;
          set_variables_[name] = EvaluateSetValue(statement.set->value);
          NoteSecret(name, set_variables_[name]);
          break;
        }
        case Statement::Kind::kInclude: {
          std::string path = Substitute(statement.include->path).text;
          std::filesystem::path resolved = file.parent_path() / path;
          WalkFile(resolved, statement.include->path.location);
          break;
        }
        case Statement::Kind::kIf:
          WalkIf(*statement.if_, file);
          break;
        default:
          AddStep(statement);
      }
    }
  }

  void WalkIf(const lang::IfStatement& conditional, const std::filesystem::path& file) {
    for (const auto& branch : conditional.branches) {
      bool taken = branch.condition.raw.empty();
      // Undefined variables join the one error per variable that lists every use.
      bool undefined = false;
      for (const auto& reference : lang::FindVariableReferences(branch.condition.raw)) {
        if (reference.length > 0 && !reference.default_value && !Lookup(reference.name)) {
          undefined_[reference.name].push_back(branch.condition.location.Advanced(reference.offset));
          undefined = true;
        }
      }
      if (undefined) return;
      if (!taken) {
        try {
          taken = lang::EvaluateCondition(branch.condition.raw, branch.condition.location,
                                          [this](const std::string& name) { return Lookup(name); });
        } catch (const common::SqlflowError& error) {
          for (const auto& diagnostic : error.diagnostics()) diagnostics_.push_back(diagnostic);
          return;
        }
      }
      if (taken) {
        Walk(branch.body, file);
        return;
      }
    }
  }

  // ---- steps ---------------------------------------------------------------------------------
  // `base`, or `base_2`, `base_3`, ... when taken (also by an id that merely looks suffixed).
  std::string UniqueId(const std::string& base) {
    std::string id = base;
    for (int n = 2; used_ids_.count(id) > 0; ++n) id = fmt::format("{}_{}", base, n);
    used_ids_.insert(id);
    return id;
  }

  // `written`, when given, receives the same object with its keys in written order.
  std::optional<nlohmann::json> ParseJson(const lang::Text& text, nlohmann::ordered_json* written = nullptr) {
    Substituted substituted = Substitute(text, Splice::kJson);
    if (!substituted.complete) return std::nullopt;  // the undefined variable is the error
    if (auto problem = lang::FindJsonProblem(substituted.text)) {
      bool duplicate = problem->kind == lang::JsonProblem::Kind::kDuplicateKey;
      Error(text.location.Advanced(substituted.SourceOffset(problem->offset)),
            duplicate ? "SF-PLAN-022" : "SF-PLAN-028", problem->Message(),
            duplicate ? "give each key once; the parser would silently keep the last one"
                      : "PARAMS and OPTIONS hold settings; deeper data belongs in a file");
      return std::nullopt;
    }
    try {
      if (written) *written = nlohmann::ordered_json::parse(substituted.text);
      nlohmann::json parsed = nlohmann::json::parse(substituted.text);
      if (!parsed.is_object()) {
        Error(text.location, "SF-PLAN-020", "expected a JSON object", "write {\"key\": \"value\"}");
        return std::nullopt;
      }
      return parsed;
    } catch (const nlohmann::json::parse_error& error) {
      size_t byte = error.byte > 0 ? error.byte - 1 : 0;
      std::string message = error.what();
      size_t cut = message.find("; ");
      if (cut != std::string::npos) message = message.substr(cut + 2);
      Error(text.location.Advanced(substituted.SourceOffset(byte)), "SF-PLAN-021", "invalid JSON: " + message,
            "keys and text values need double quotes; no trailing commas");
      return std::nullopt;
    }
  }

  // Locates `key` inside a JSON text for a caret under it; the object's start otherwise.
  static Location KeyLocation(const std::optional<lang::Text>& text, const std::string& key,
                              const Location& fallback) {
    if (!text) return fallback;
    size_t pos = text->raw.find("\"" + key + "\"");
    return pos == std::string::npos ? text->location : text->location.Advanced(pos);
  }

  // Checks against `specs`, then (when the schema is met) the connector's own rules.
  nlohmann::json CheckParams(const std::vector<connectors::ParamSpec>& specs, const nlohmann::json& params,
                             const std::optional<lang::Text>& text, const Location& fallback,
                             const std::string& what, const connectors::Connector* connector = nullptr,
                             bool as_source = true) {
    std::vector<connectors::ParamIssue> issues;
    nlohmann::json normalized = connectors::NormalizeParams(specs, params, issues);
    if (issues.empty() && connector) issues = connector->Validate(normalized, as_source);
    for (const auto& issue : issues) {
      Error(KeyLocation(text, issue.key, fallback), "SF-PLAN-022", fmt::format("{}: {}", what, issue.message),
            issue.hint);
    }
    return normalized;
  }

  const connectors::Connector* FindConnectorOrError(const std::string& type, const Location& where) {
    const connectors::Connector* connector = connectors::FindConnector(type);
    if (!connector) {
      std::string hint = util::DidYouMean(type, connectors::ConnectorTypes());
      if (hint.empty()) hint = "available types: " + util::Join(connectors::ConnectorTypes(), ", ");
      Error(where, "SF-PLAN-023", fmt::format("unknown connector type '{}'", type), hint);
    }
    return connector;
  }

  void AddStep(const Statement& statement) {
    Step step;
    step.location = statement.location;
    switch (statement.kind) {
      case Statement::Kind::kSource:
        AddSource(statement, step);
        return;
      case Statement::Kind::kLoad: {
        const auto& load = *statement.load;
        step.kind = Step::Kind::kLoad;
        step.target = Substitute(lang::Text{load.table.raw, load.table.location}).text;
        step.load_source = load.source.raw;
        step.mode = load.mode;
        step.mode_options = CheckModeOptions(load.mode, statement.location);
        step.id = UniqueId("load_" + Slug(step.target));
        load_sources_.push_back(load.source);
        break;
      }
      case Statement::Kind::kCreateTable: {
        const auto& create = *statement.create_table;
        step.kind = Step::Kind::kTransform;
        step.target = Substitute(lang::Text{create.table.raw, create.table.location}).text;
        step.mode = create.mode.value_or(lang::LoadMode{});
        step.mode_options = CheckModeOptions(step.mode, statement.location);
        step.id = UniqueId("transform_" + Slug(step.target));
        Substituted query =
            RewritePython(Substitute(create.query, Splice::kSql), create.query.location, step);
        step.sql = query.text;
        AnalyzeReads(step, query, create.query.location, /*plain=*/false);
        if (!create.or_replace && !create.mode)
          plain_creates_[TableKey(step.target)].push_back(steps_.size());
        break;
      }
      case Statement::Kind::kExport:
        AddExport(statement, step);
        break;
      case Statement::Kind::kSql: {
        step.kind = Step::Kind::kSql;
        step.id = UniqueId(fmt::format("sql_{}", ++sql_count_));
        Substituted sql =
            RewritePython(Substitute(statement.sql->sql, Splice::kSql), statement.sql->sql.location, step);
        step.sql = sql.text;
        if (sql.complete) CheckStatementKind(statement.sql->sql, sql.text);
        step.target = CreatedName(step.sql);
        step.session_state = ChangesSession(step.sql);
        AnalyzeReads(step, sql, statement.sql->sql.location, /*plain=*/true);
        break;
      }
      default:
        return;
    }
    steps_.push_back(std::move(step));
  }

  // A plain SQL statement's kind (its first keyword) is written in the file: no variable decides it.
  void CheckStatementKind(const lang::Text& written, const std::string& substituted) {
    auto written_file = std::make_shared<const common::SourceFile>("", written.raw);
    auto substituted_file = std::make_shared<const common::SourceFile>("", substituted);
    lang::Token first = lang::Tokenize(written_file).tokens.front();
    lang::Token now = lang::Tokenize(substituted_file).tokens.front();
    if (first.kind == lang::Token::Kind::kVariable) {
      Error(written.location.Advanced(first.offset), "SF-VAR-004",
            "a statement cannot begin with a variable: its kind must be written in the file",
            "write the statement's keyword (SELECT, INSERT, CREATE, ...) and use variables for values");
    } else if (!util::EqualsIgnoreCase(first.text, now.text)) {
      Error(written.location.Advanced(first.offset), "SF-VAR-004",
            fmt::format("a variable's value changes the statement's first word to '{}'", now.text),
            "a value may not change what a statement does; check the values spliced into it");
    }
  }

  nlohmann::json CheckModeOptions(const lang::LoadMode& mode, const Location& fallback) {
    static const std::vector<connectors::ParamSpec> kModeOptions = {
        {"schema",
         connectors::ParamType::kString,
         false,
         {"schema_compatibility", "compatibility"},
         {"widen", "strict"}},
        {"add_columns", connectors::ParamType::kBool, false, {"allow_new_columns"}, {}},
    };
    if (!mode.options) return nlohmann::json::object();
    if (mode.kind == lang::LoadMode::Kind::kReplace) {
      Error(mode.options->location, "SF-PLAN-027", "MODE REPLACE takes no OPTIONS",
            "schema options apply to APPEND and MERGE, which write into an existing table");
      return nlohmann::json::object();
    }
    auto parsed = ParseJson(*mode.options);
    if (!parsed) return nlohmann::json::object();
    return CheckParams(kModeOptions, *parsed, mode.options, fallback,
                       fmt::format("MODE {}", lang::LoadModeName(mode.kind)));
  }

  void AddSource(const Statement& statement, Step& step) {
    const auto& source = *statement.source;
    step.kind = Step::Kind::kSource;
    step.source_name = source.name.raw;
    step.id = UniqueId("source_" + Slug(source.name.raw));
    std::string key = util::ToLower(source.name.raw);
    if (auto it = source_index_.find(key); it != source_index_.end()) {
      Error(source.name.location, "SF-PLAN-026", fmt::format("source '{}' is defined twice", source.name.raw),
            "give each SOURCE its own name", {"first defined at " + steps_[it->second].location.ToString()});
      return;
    }
    // Registered even when its parameters are wrong, so LOADs of it report nothing more.
    source_index_[key] = steps_.size();
    ResolveSourceParams(statement, step);
    steps_.push_back(std::move(step));
  }

  void ResolveSourceParams(const Statement& statement, Step& step) {
    const auto& source = *statement.source;
    std::optional<lang::Text> text = source.params;
    nlohmann::json params = nlohmann::json::object();
    nlohmann::ordered_json written = nlohmann::ordered_json::object();
    Location type_location = source.type_location;
    if (source.connector) {
      auto it = options_.connectors.find(source.connector->raw);
      if (it == options_.connectors.end()) {
        std::vector<std::string> names;
        for (const auto& [name, definition] : options_.connectors) names.push_back(name);
        std::string hint = util::DidYouMean(source.connector->raw, names);
        if (hint.empty()) hint = "connectors are defined under 'connectors:' in the profile";
        Error(source.connector->location, "SF-PLAN-024",
              fmt::format("unknown connector '{}' in the profile", source.connector->raw), hint);
        return;
      }
      step.connector_type = util::ToUpper(it->second.type);
      params = it->second.params.is_object() ? it->second.params : nlohmann::json::object();
      if (source.options) {
        auto options = ParseJson(*source.options, &written);
        if (!options) return;
        // OPTIONS override the profile's keys; null removes one.
        for (const auto& [key, value] : options->items()) {
          if (value.is_null()) {
            params.erase(key);
          } else {
            params[key] = value;
          }
        }
      }
      text = source.options;
      type_location = source.connector->location;
    } else {
      step.connector_type = source.type;
      auto parsed = ParseJson(*source.params, &written);
      if (!parsed) return;
      params = *parsed;
    }
    util::AddSecretsOf(params);
    connectors::AdoptSource(step.connector_type, params);
    const connectors::Connector* connector = FindConnectorOrError(step.connector_type, type_location);
    if (!connector) return;
    if (connector->source_params().empty()) {
      Error(type_location, "SF-PLAN-025",
            fmt::format("connector type {} cannot be a SOURCE", step.connector_type));
      return;
    }
    std::vector<connectors::ParamSpec> specs = connectors::SourceParams(*connector);
    step.params =
        CheckParams(specs, params, text, statement.location,
                    fmt::format("SOURCE {} ({})", source.name.raw, step.connector_type), connector, true);
    KeepWrittenOrder(step.params, written, specs);
  }

  void AddExport(const Statement& statement, Step& step) {
    const auto& exported = *statement.export_;
    step.kind = Step::Kind::kExport;
    step.export_type = exported.type;
    step.export_is_table = exported.is_table;
    step.target = Substitute(exported.uri).text;
    std::string stem = std::filesystem::path(step.target).stem().string();
    Substituted query = Substitute(exported.query, Splice::kSql);
    if (exported.is_table) {
      step.sql = "SELECT * FROM " + engine::QuoteTableName(query.text);
      step.reads.push_back(TableKey(query.text));
      read_locations_[steps_.size()].push_back(exported.query.location);
      stem = query.text;
    } else {
      Substituted rewritten = RewritePython(query, exported.query.location, step);
      step.sql = rewritten.text;
      AnalyzeReads(step, rewritten, exported.query.location, /*plain=*/false);
    }
    const connectors::Connector* connector = FindConnectorOrError(exported.type, exported.type_location);
    // A database table (schema.table) is named whole; a file by its name without extension.
    if (connector && connector->custom_sink() && !exported.is_table) stem = step.target;
    step.id = UniqueId(fmt::format("export_{}_{}", Slug(exported.type), Slug(stem)));
    if (!connector) return;
    if (connector->export_options().empty()) {
      Error(exported.type_location, "SF-PLAN-025",
            fmt::format("connector type {} cannot be an EXPORT", exported.type));
      return;
    }
    nlohmann::json options = nlohmann::json::object();
    if (exported.options) {
      auto parsed = ParseJson(*exported.options);
      if (!parsed) return;
      options = *parsed;
    }
    // A TYPE that stands for a file format (S3 with file_format) becomes that TYPE; a file goes to
    // the destination that claims its URI, whose options (credentials, part sizes) it also takes.
    connectors::ParamIssue issue;
    const connectors::Connector* written_as = connector->ExportAs(step.target, options, issue);
    if (!written_as) {
      Error(issue.key.empty() ? exported.uri.location
                              : KeyLocation(exported.options, issue.key, statement.location),
            "SF-PLAN-022", issue.message, issue.hint);
      return;
    }
    connector = written_as;
    step.export_type = connector->type();
    std::vector<connectors::ParamSpec> specs = connector->export_options();
    const connectors::FileDestination* destination = nullptr;
    if (connector->custom_sink()) {
      if (step.target.find("://") != std::string::npos) {
        Error(exported.uri.location, "SF-PLAN-022",
              fmt::format("EXPORT ({}) cannot write to {}", exported.type,
                          connectors::FindDestination(step.target)
                              ? "an " + step.target.substr(0, step.target.find("://") + 3) + " URI"
                              : "'" + step.target + "'"),
              "export files to a URI as CSV, PARQUET or JSON");
        return;
      }
    } else {
      destination = connectors::FindDestination(step.target);
      if (destination) {
        for (const auto& spec : destination->options()) specs.push_back(spec);
      }
    }
    // "connection": "<profile connector>" brings that connector's parameters; OPTIONS win.
    if (options.contains("connection") && options["connection"].is_string()) {
      std::string name = options["connection"].get<std::string>();
      auto profile = options_.connectors.find(name);
      bool uri = name.find("://") != std::string::npos || name.find('=') != std::string::npos;
      if (profile != options_.connectors.end()) {
        // The connection keys of the profile connector: what only a SOURCE reads is left out.
        nlohmann::json merged = nlohmann::json::object();
        if (profile->second.params.is_object()) {
          for (const auto& [key, value] : profile->second.params.items()) {
            if (connectors::SpecFor(specs, key)) merged[key] = value;
          }
        }
        for (const auto& [key, value] : options.items()) {
          if (key == "connection") continue;
          if (value.is_null()) {
            merged.erase(key);
          } else {
            merged[key] = value;
          }
        }
        options = merged;
      } else if (!uri) {
        std::vector<std::string> names;
        for (const auto& [known, definition] : options_.connectors) names.push_back(known);
        std::string hint = util::DidYouMean(name, names);
        Error(KeyLocation(exported.options, "connection", statement.location), "SF-PLAN-024",
              fmt::format("unknown connector '{}' in the profile", name),
              hint.empty()
                  ? "name a connector under 'connectors:' in the profile, or give a postgresql:// URI"
                  : hint);
        return;
      }
    }
    util::AddSecretsOf(options);
    step.params = CheckParams(specs, options, exported.options, statement.location,
                              fmt::format("EXPORT ({})", exported.type), connector, false);
    if (destination) {
      for (const auto& problem : destination->Validate(step.params)) {
        Error(KeyLocation(exported.options, problem.key, statement.location), "SF-PLAN-022",
              fmt::format("EXPORT ({}): {}", exported.type, problem.message), problem.hint);
      }
      CheckReplace(*destination, step, exported.uri.location);
    }
  }

  // A local destination that holds a folder, or a file no export of this pipeline wrote (and no
  // "overwrite"), is refused before anything runs; the export checks again before its rename.
  void CheckReplace(const connectors::FileDestination& destination, const Step& step,
                    const Location& location) {
    std::optional<std::filesystem::path> path =
        destination.LocalPath(step.target, options_.project_root.string());
    if (!path) return;
    auto earlier = [&]() -> std::optional<state::ExportOutput> {
      return options_.export_output ? options_.export_output(path->string()) : std::nullopt;
    };
    if (auto refusal =
            connectors::RefuseReplace(*path, pipeline_, connectors::OverwriteRequested(step.params), earlier))
      Error(location, "SF-PLAN-045", refusal->message, refusal->hint);
  }

  // PYTHON_FUNC calls become calls of registered functions or table UDF placeholders; the inputs
  // of table UDFs are tables this step reads.
  Substituted RewritePython(const Substituted& sql, const Location& location, Step& step) {
    if (!sql.complete) return sql;
    PythonFuncRewrite rewrite = RewritePythonFuncs(sql.text, options_.udfs, table_udf_counter_);
    if (options_.udfs) {
      for (auto& issue : CheckDirectUdfCalls(sql.text, *options_.udfs))
        rewrite.issues.push_back(std::move(issue));
    }
    for (const auto& issue : rewrite.issues) {
      Error(location.Advanced(sql.SourceOffset(issue.offset)), issue.code, issue.message, issue.hint);
    }
    if (rewrite.edits.empty()) return sql;
    CheckScalarReturnTypes(rewrite, sql, location);
    for (const auto& call : rewrite.table_calls) {
      SqlAnalysis input = analyzer_.Analyze(call.input_sql);
      for (const auto& table : input.tables) {
        if (IsTableUdfPlaceholder(table.key) ||
            std::find(step.reads.begin(), step.reads.end(), table.key) != step.reads.end()) {
          continue;
        }
        step.reads.push_back(table.key);
        read_locations_[steps_.size()].push_back(location.Advanced(sql.SourceOffset(call.input_offset)));
      }
    }
    step.table_udfs = rewrite.table_calls;
    return ApplyEdits(sql, rewrite.edits);
  }

  // A scalar UDF that cannot be registered (no return type, an unsupported one): say so where it
  // is called, before anything runs.
  void CheckScalarReturnTypes(const PythonFuncRewrite& rewrite, const Substituted& sql,
                              const Location& location) {
    if (!options_.udfs) return;
    for (const auto& edit : rewrite.edits) {
      for (const auto& udf : options_.udfs->udfs()) {
        if (udf.is_table() || edit.replacement != udf.sql_name() + "(") continue;
        std::string problem = udf::ScalarRegistrationProblem(udf);
        if (problem.empty()) continue;
        Error(location.Advanced(sql.SourceOffset(edit.begin)), "SF-UDF-014",
              fmt::format("Python UDF {} ({}:{}) cannot be used: {}", udf.name, udf.file, udf.line, problem),
              "annotate the return type (-> float) or give return_type=\"DOUBLE\" to @python_scalar_udf");
      }
    }
  }

  void AnalyzeReads(Step& step, const Substituted& sql, const Location& location, bool plain) {
    if (!sql.complete) return;  // the undefined variable is the error; the SQL would only add noise
    SqlAnalysis analysis = analyzer_.Analyze(sql.text);
    auto map = [&](size_t position) { return location.Advanced(sql.SourceOffset(position)); };
    if (analysis.kind == SqlAnalysis::Kind::kSyntaxError) {
      Error(map(analysis.error_position.value_or(0)), "SF-PLAN-030", "SQL syntax error: " + analysis.error,
            "the SQL is handed to DuckDB as written; check it against DuckDB's syntax");
      return;
    }
    if (analysis.statements > 1) {
      Error(location, "SF-VAR-003",
            fmt::format("after variable substitution this step is {} statements", analysis.statements),
            "a step is one statement: a variable's value may not add another (values are spliced raw "
            "outside quotes; write '${name}' for a string)");
      return;
    }
    switch (analysis.kind) {
      case SqlAnalysis::Kind::kSyntaxError:
        return;
      case SqlAnalysis::Kind::kOtherStatement:
        if (plain) {
          step.barrier = true;
        } else {
          Error(location, "SF-PLAN-031", "expected a query (SELECT, WITH, VALUES, FROM ...)",
                "CREATE TABLE name AS <query>; takes a query");
        }
        return;
      case SqlAnalysis::Kind::kQuery:
        for (const auto& table : analysis.tables) {
          if (IsTableUdfPlaceholder(table.key)) continue;
          if (std::find(step.reads.begin(), step.reads.end(), table.key) != step.reads.end()) continue;
          step.reads.push_back(table.key);
          read_locations_[steps_.size()].push_back(map(table.position));
        }
        return;
    }
  }

  // ---- dependencies --------------------------------------------------------------------------
  std::string WriteKey(const Step& step) const {
    if (step.kind == Step::Kind::kLoad || step.kind == Step::Kind::kTransform) return TableKey(step.target);
    if (step.kind == Step::Kind::kSql && !step.target.empty()) return TableKey(step.target);
    return "";
  }

  void ResolveDependencies() {
    std::map<std::string, std::vector<size_t>> writers;
    for (size_t i = 0; i < steps_.size(); ++i) {
      std::string key = WriteKey(steps_[i]);
      if (!key.empty()) writers[key].push_back(i);
    }
    CheckDuplicateCreates(writers);
    std::vector<std::set<size_t>> deps(steps_.size());
    size_t load_number = 0;
    std::optional<size_t> last_barrier;
    for (size_t i = 0; i < steps_.size(); ++i) {
      Step& step = steps_[i];
      if (step.kind == Step::Kind::kLoad) {
        const lang::Name& source = load_sources_[load_number++];
        auto it = source_index_.find(util::ToLower(step.load_source));
        if (it == source_index_.end()) {
          std::vector<std::string> names;
          for (const auto& s : steps_) {
            if (s.kind == Step::Kind::kSource) names.push_back(s.source_name);
          }
          std::string hint = util::DidYouMean(step.load_source, names);
          if (hint.empty()) hint = "define it first: SOURCE " + step.load_source + " TYPE CSV PARAMS {...};";
          Error(source.location, "SF-PLAN-040", fmt::format("unknown source '{}'", step.load_source), hint);
        } else {
          deps[i].insert(it->second);
        }
      }
      const auto& locations = read_locations_[i];
      for (size_t r = 0; r < step.reads.size(); ++r) {
        const std::string& key = step.reads[r];
        std::optional<size_t> writer = FindWriter(writers, key, i);
        if (writer) {
          deps[i].insert(*writer);
        } else if (!TableExists(key) && !(step.barrier)) {
          ReportUnknownTable(key, r < locations.size() ? locations[r] : step.location, writers);
        }
      }
      // Writers of one table keep their file order.
      std::string key = WriteKey(step);
      if (!key.empty()) {
        const auto& list = writers[key];
        auto pos = std::find(list.begin(), list.end(), i);
        if (pos != list.begin()) deps[i].insert(*(pos - 1));
      }
      if (last_barrier) deps[i].insert(*last_barrier);
      if (step.barrier) {
        size_t from = last_barrier ? *last_barrier + 1 : 0;
        for (size_t j = from; j < i; ++j) deps[i].insert(j);
        last_barrier = i;
      }
    }
    for (size_t i = 0; i < steps_.size(); ++i) {
      deps[i].erase(i);
      for (size_t j : deps[i]) steps_[i].depends_on.push_back(steps_[j].id);
    }
    deps_ = std::move(deps);
  }

  static std::optional<size_t> FindWriter(const std::map<std::string, std::vector<size_t>>& writers,
                                          const std::string& key, size_t reader) {
    auto it = writers.find(key);
    if (it == writers.end()) return std::nullopt;
    std::optional<size_t> below;
    std::optional<size_t> above;
    for (size_t index : it->second) {
      if (index < reader) above = index;
      if (index > reader && !below) below = index;
    }
    return above ? above : below;
  }

  bool TableExists(const std::string& key) {
    if (!options_.table_exists) return false;
    auto it = exists_cache_.find(key);
    if (it != exists_cache_.end()) return it->second;
    return exists_cache_[key] = options_.table_exists(key);
  }

  void ReportUnknownTable(const std::string& key, const Location& where,
                          const std::map<std::string, std::vector<size_t>>& writers) {
    std::vector<std::string> known;
    for (const auto& [name, list] : writers) known.push_back(name);
    std::string hint = util::DidYouMean(key, known);
    if (hint.empty()) hint = "create it with LOAD or CREATE TABLE ... AS earlier in the pipeline";
    Error(where, "SF-PLAN-041", fmt::format("unknown table '{}'", key), hint);
  }

  void CheckDuplicateCreates(const std::map<std::string, std::vector<size_t>>& writers) {
    for (const auto& [key, creates] : plain_creates_) {
      if (creates.size() > 1) {
        Error(steps_[creates[1]].location, "SF-PLAN-042", fmt::format("table '{}' is created twice", key),
              "use CREATE OR REPLACE TABLE, or a MODE, to write a table again",
              {"first created at " + steps_[creates[0]].location.ToString()});
      }
      auto it = writers.find(key);
      if (it == writers.end()) continue;
      // A LOAD below the CREATE (APPEND or MERGE into it) is fine; one above already defined it.
      for (size_t index : it->second) {
        if (steps_[index].kind == Step::Kind::kLoad && index < creates[0]) {
          Error(steps_[creates[0]].location, "SF-PLAN-043",
                fmt::format("table '{}' is already defined by a LOAD", key),
                "use CREATE OR REPLACE TABLE or a MODE to rewrite it, or pick another name",
                {"loaded at " + steps_[index].location.ToString()});
          break;
        }
      }
    }
  }

  // Kahn's algorithm; among ready steps the one earliest in the file goes first.
  std::vector<Step> Order() {
    size_t count = steps_.size();
    std::vector<size_t> indegree(count, 0);
    std::vector<std::vector<size_t>> dependents(count);
    for (size_t i = 0; i < count; ++i) {
      for (size_t j : deps_[i]) {
        dependents[j].push_back(i);
        ++indegree[i];
      }
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    for (size_t i = 0; i < count; ++i) {
      if (indegree[i] == 0) ready.push(i);
    }
    std::vector<Step> ordered;
    std::vector<bool> done(count, false);
    while (!ready.empty()) {
      size_t i = ready.top();
      ready.pop();
      done[i] = true;
      ordered.push_back(steps_[i]);
      for (size_t d : dependents[i]) {
        if (--indegree[d] == 0) ready.push(d);
      }
    }
    if (ordered.size() != count) ReportCycle(done);
    return ordered;
  }

  void ReportCycle(const std::vector<bool>& done) {
    // Walk dependencies among the unfinished steps until one repeats.
    size_t start = 0;
    while (done[start]) ++start;
    std::vector<size_t> path;
    std::vector<int> seen(steps_.size(), -1);
    size_t current = start;
    while (seen[current] < 0) {
      seen[current] = static_cast<int>(path.size());
      path.push_back(current);
      for (size_t j : deps_[current]) {
        if (!done[j]) {
          current = j;
          break;
        }
      }
    }
    std::vector<std::string> cycle;
    for (size_t k = static_cast<size_t>(seen[current]); k < path.size(); ++k)
      cycle.push_back(steps_[path[k]].id);
    std::reverse(cycle.begin(), cycle.end());
    cycle.push_back(cycle.front());
    Error(steps_[current].location, "SF-PLAN-044", "dependency cycle: " + util::Join(cycle, " -> "),
          "a step reads a table that is written only by a step that needs it; break the loop");
  }

  const PlanOptions& options_;
  std::string pipeline_;
  SqlAnalyzer analyzer_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, Value> set_variables_;
  std::map<std::string, Value> resolved_;
  std::map<std::string, std::vector<Location>> undefined_;
  std::vector<std::filesystem::path> include_stack_;
  std::vector<Step> steps_;
  std::vector<std::set<size_t>> deps_;
  std::map<size_t, std::vector<Location>> read_locations_;
  std::map<std::string, size_t> source_index_;
  std::vector<lang::Name> load_sources_;
  std::map<std::string, std::vector<size_t>> plain_creates_;  // table key -> step indices
  std::set<std::string> used_ids_;
  std::map<std::string, bool> exists_cache_;
  int sql_count_ = 0;
  int table_udf_counter_ = 0;
  bool parse_failed_ = false;
};

}  // namespace

Plan BuildPlan(const std::filesystem::path& pipeline_file, const PlanOptions& options) {
  return Planner(options).Build(pipeline_file);
}

nlohmann::json PlanToJson(const Plan& plan) {
  nlohmann::json variables = nlohmann::json::object();
  for (const auto& [name, value] : plan.variables) {
    if (IsSecretName(name) || plan.secret_variables.count(name) > 0) {
      variables[name] = "***";
      continue;
    }
    switch (value.kind) {
      case Value::Kind::kNull:
        variables[name] = nullptr;
        break;
      case Value::Kind::kBool:
        variables[name] = util::EqualsIgnoreCase(value.text, "true");
        break;
      case Value::Kind::kNumber:
        variables[name] = nlohmann::json::parse(value.text, nullptr, false, true);
        if (variables[name].is_discarded()) variables[name] = value.text;
        break;
      case Value::Kind::kText:
        variables[name] = value.text;
        break;
    }
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const Step& step : plan.steps) {
    nlohmann::json item = {{"id", step.id},
                           {"kind", StepKindName(step.kind)},
                           {"location", step.location.ToString()},
                           {"depends_on", step.depends_on}};
    if (!step.sql.empty()) item["sql"] = step.sql;
    if (!step.target.empty()) item["target"] = step.target;
    if (step.barrier) item["barrier"] = true;
    if (!step.table_udfs.empty()) {
      nlohmann::json calls = nlohmann::json::array();
      for (const auto& call : step.table_udfs) {
        calls.push_back({{"placeholder", call.placeholder},
                         {"udf", call.udf},
                         {"input", call.input_sql},
                         {"kwargs", nlohmann::json::parse(call.kwargs_json)}});
      }
      item["table_udfs"] = calls;
    }
    switch (step.kind) {
      case Step::Kind::kSource:
        item["source"] = step.source_name;
        item["connector_type"] = step.connector_type;
        item["params"] = MaskSecrets(step.params);
        break;
      case Step::Kind::kLoad:
      case Step::Kind::kTransform:
        if (step.kind == Step::Kind::kLoad) item["source"] = step.load_source;
        item["mode"] = lang::LoadModeName(step.mode.kind);
        if (!step.mode.keys.empty()) item["keys"] = step.mode.keys;
        if (!step.mode_options.empty()) item["mode_options"] = step.mode_options;
        break;
      case Step::Kind::kExport:
        item["type"] = step.export_type;
        item["options"] = MaskSecrets(step.params);
        break;
      case Step::Kind::kSql:
        break;
    }
    steps.push_back(std::move(item));
  }
  // Secret values also hide where no name says so: a PARAMS key, the SQL, an export URI.
  return util::RedactJson({{"pipeline", plan.pipeline},
                           {"file", plan.file.filename().string()},
                           {"variables", variables},
                           {"steps", steps}});
}

}  // namespace sqlflow::plan
