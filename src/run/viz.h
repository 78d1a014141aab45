#pragma once
// Pictures of a pipeline's DAG: Graphviz DOT, Mermaid, SVG and a self-contained HTML page. With a
// run's step records, nodes are coloured by status and labelled with time and rows.

#include <map>
#include <string>

#include "plan/plan.h"
#include "state/store.h"

namespace sqlflow::run {

// step id -> its record in one run; empty for a plain plan picture.
using StepStates = std::map<std::string, state::StepRecord>;

std::string DagToDot(const plan::Plan& plan, const StepStates& states);
std::string DagToMermaid(const plan::Plan& plan, const StepStates& states);
// SVG from Graphviz (`dot -Tsvg`) when it is installed, else from SQLFlow's own layered layout.
std::string DagToSvg(const plan::Plan& plan, const StepStates& states);
// SQLFlow's own layout: columns by dependency depth, rows by plan order.
std::string DagToSvgBuiltin(const plan::Plan& plan, const StepStates& states);
std::string DagToHtml(const plan::Plan& plan, const StepStates& states, const std::string& title);

}  // namespace sqlflow::run
