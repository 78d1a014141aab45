#include "run/viz.h"

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "run/console_reporter.h"
#include "util/secrets.h"

namespace sqlflow::run {

namespace {

// Every text from the plan or a run goes through one of the escapes, which mask secret values first.
std::string EscapeXml(std::string_view text) {
  std::string out;
  for (char c : util::Redact(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeQuoted(std::string_view text) {
  std::string out;
  for (char c : util::Redact(text)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct Style {
  const char* fill;
  const char* stroke;
};

Style KindStyle(plan::Step::Kind kind) {
  switch (kind) {
    case plan::Step::Kind::kSource:
      return {"#e8f1fb", "#4a7fc1"};
    case plan::Step::Kind::kLoad:
      return {"#e6f4ea", "#3c8d58"};
    case plan::Step::Kind::kTransform:
      return {"#fff4e0", "#c98a1b"};
    case plan::Step::Kind::kExport:
      return {"#f3e8fb", "#8a4fc1"};
    case plan::Step::Kind::kSql:
      return {"#eeeeee", "#777777"};
  }
  return {"#ffffff", "#333333"};
}

Style StatusStyle(const std::string& status) {
  if (status == "SUCCEEDED") return {"#c8efd2", "#2e7d46"};
  if (status == "FAILED" || status == "INTERRUPTED") return {"#f8c9c9", "#b3261e"};
  if (status == "RUNNING") return {"#cfe3fb", "#1f5fae"};
  if (status == "RETRYING") return {"#fde3c0", "#c26a00"};
  if (status == "SKIPPED") return {"#e4e4e4", "#8a8a8a"};
  return {"#ffffff", "#8a8a8a"};  // PENDING
}

Style NodeStyle(const plan::Step& step, const StepStates& states) {
  auto it = states.find(step.id);
  return it == states.end() ? KindStyle(step.kind) : StatusStyle(it->second.status);
}

// The second label line: what the step does, or how it went in the run.
std::string Detail(const plan::Step& step, const StepStates& states) {
  auto it = states.find(step.id);
  if (it == states.end()) return DescribeStep(step);
  const state::StepRecord& record = it->second;
  std::string text = record.status;
  if (record.started_at > 0 && record.ended_at > 0)
    text += fmt::format(" · {:.2f}s", record.ended_at - record.started_at);
  if (record.status == "SUCCEEDED" && step.kind != plan::Step::Kind::kSource) {
    text += fmt::format(" · {} {}", record.rows_written, record.rows_written == 1 ? "row" : "rows");
  }
  return text;
}

std::string Truncate(std::string text, size_t limit) {
  return text.size() > limit ? text.substr(0, limit - 1) + "…" : text;
}

std::string MermaidId(size_t index) {
  return fmt::format("s{}", index);
}

}  // namespace

std::string DagToDot(const plan::Plan& plan, const StepStates& states) {
  std::string out = fmt::format(
      "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", "
      "fontname=\"Helvetica\", fontsize=11];\n",
      EscapeQuoted(plan.pipeline));
  for (const auto& step : plan.steps) {
    Style style = NodeStyle(step, states);
    out +=
        fmt::format("  \"{}\" [label=\"{}\\n{}\", fillcolor=\"{}\", color=\"{}\"];\n", EscapeQuoted(step.id),
                    EscapeQuoted(step.id), EscapeQuoted(Detail(step, states)), style.fill, style.stroke);
  }
  for (const auto& step : plan.steps) {
    for (const auto& dependency : step.depends_on) {
      out += fmt::format("  \"{}\" -> \"{}\";\n", EscapeQuoted(dependency), EscapeQuoted(step.id));
    }
  }
  return out + "}\n";
}

std::string DagToMermaid(const plan::Plan& plan, const StepStates& states) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < plan.steps.size(); ++i) index[plan.steps[i].id] = i;
  std::string out = "flowchart LR\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    std::string label = util::Redact(step.id + "<br/>" + Detail(step, states));
    for (char& c : label) c = c == '"' ? '\'' : c;
    out += fmt::format("  {}[\"{}\"]\n", MermaidId(i), label);
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    for (const auto& dependency : plan.steps[i].depends_on) {
      out += fmt::format("  {} --> {}\n", MermaidId(index.at(dependency)), MermaidId(i));
    }
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    Style style = NodeStyle(plan.steps[i], states);
    out += fmt::format("  style {} fill:{},stroke:{}\n", MermaidId(i), style.fill, style.stroke);
  }
  return out;
}

std::string DagToSvgBuiltin(const plan::Plan& plan, const StepStates& states) {
  constexpr int kWidth = 230, kHeight = 46, kColumnGap = 60, kRowGap = 22, kMargin = 20;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < plan.steps.size(); ++i) index[plan.steps[i].id] = i;
  // Plan order is topological, so one pass gives each step its depth.
  std::vector<int> column(plan.steps.size(), 0), row(plan.steps.size(), 0);
  std::map<int, int> rows_in_column;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    for (const auto& dependency : plan.steps[i].depends_on)
      column[i] = std::max(column[i], column[index.at(dependency)] + 1);
    row[i] = rows_in_column[column[i]]++;
  }
  int columns = 0, rows = 0;
  for (const auto& [c, count] : rows_in_column) {
    columns = std::max(columns, c + 1);
    rows = std::max(rows, count);
  }
  auto x = [&](size_t i) { return kMargin + column[i] * (kWidth + kColumnGap); };
  auto y = [&](size_t i) { return kMargin + row[i] * (kHeight + kRowGap); };
  int width = 2 * kMargin + columns * kWidth + std::max(0, columns - 1) * kColumnGap;
  int height = 2 * kMargin + rows * kHeight + std::max(0, rows - 1) * kRowGap;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\">\n<title>{2}</title>\n<defs><marker id=\"arrow\" "
      "viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/></marker></defs>\n",
      width, height, EscapeXml(plan.pipeline));
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    for (const auto& dependency : plan.steps[i].depends_on) {
      size_t from = index.at(dependency);
      int x1 = x(from) + kWidth, y1 = y(from) + kHeight / 2, x2 = x(i), y2 = y(i) + kHeight / 2;
      out += fmt::format(
          "<path d=\"M{},{} C{},{} {},{} {},{}\" fill=\"none\" stroke=\"#666\" "
          "marker-end=\"url(#arrow)\"/>\n",
          x1, y1, x1 + kColumnGap / 2, y1, x2 - kColumnGap / 2, y2, x2, y2);
    }
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    Style style = NodeStyle(step, states);
    out += fmt::format(
        "<g id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"{}\" "
        "stroke=\"{}\"/>\n",
        EscapeXml(step.id), x(i), y(i), kWidth, kHeight, style.fill, style.stroke);
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"bold\">{}</text>\n", x(i) + 10,
                       y(i) + 19, EscapeXml(Truncate(step.id, 34)));
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#333\">{}</text></g>\n", x(i) + 10,
                       y(i) + 36, EscapeXml(Truncate(Detail(step, states), 38)));
  }
  return out + "</svg>\n";
}

std::string DagToSvg(const plan::Plan& plan, const StepStates& states) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) return DagToSvgBuiltin(plan, states);
  char input_name[] = "/tmp/sqlflow-viz-XXXXXX";
  int fd = mkstemp(input_name);
  if (fd < 0) return DagToSvgBuiltin(plan, states);
  std::string dot = DagToDot(plan, states);
  bool written = ::write(fd, dot.data(), dot.size()) == static_cast<ssize_t>(dot.size());
  ::close(fd);
  std::string svg;
  if (written) {
    if (std::FILE* pipe = popen(fmt::format("dot -Tsvg '{}' 2>/dev/null", input_name).c_str(), "r")) {
      char buffer[4096];
      size_t read = 0;
      while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) svg.append(buffer, read);
      if (pclose(pipe) != 0) svg.clear();
    }
  }
  std::remove(input_name);
  return svg.empty() ? DagToSvgBuiltin(plan, states) : svg;
}

std::string DagToHtml(const plan::Plan& plan, const StepStates& states, const std::string& title) {
  std::string rows;
  for (const auto& step : plan.steps) {
    auto it = states.find(step.id);
    std::string status = it == states.end() ? "" : it->second.status;
    std::string time = it != states.end() && it->second.ended_at > 0
                           ? fmt::format("{:.2f}s", it->second.ended_at - it->second.started_at)
                           : "";
    std::string count =
        it != states.end() && it->second.status == "SUCCEEDED" ? std::to_string(it->second.rows_written) : "";
    std::string error = it == states.end() ? "" : it->second.error;
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        EscapeXml(step.id), plan::StepKindName(step.kind), EscapeXml(DescribeStep(step)), status, time, count,
        EscapeXml(error));
  }
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\n<style>"
      "body{{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}}"
      "table{{border-collapse:collapse;margin-top:20px;font-size:13px}}"
      "td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}th{{background:#f3f3f3}}"
      ".dag{{overflow:auto;border:1px solid #ddd;padding:8px}}</style></head>\n<body><h1>{0}</h1>\n"
      "<div "
      "class=\"dag\">{1}</div>\n<table><tr><th>step</th><th>kind</th><th>what</th><th>status</th><th>time</"
      "th>"
      "<th>rows</th><th>error</th></tr>\n{2}</table>\n</body></html>\n",
      EscapeXml(title), DagToSvgBuiltin(plan, states), rows);
}

}  // namespace sqlflow::run
