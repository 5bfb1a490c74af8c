// Vega-Lite specifications of Draftstop's four plots, from plain data, shared by the benchmark's
// SVG files and the stats panel.
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};
import {DraftLengthCounts} from "../../engine/stats/draftLengthHistogram";
import {AcceptanceBin} from "../../engine/stats/entropyBins";
import {acceptanceRate} from "../../engine/stats/figures";
import {acceptanceBound} from "../../engine/drafting/adaedl";
import {COUNT_AXIS, COUNT_LEGEND, countScale} from "./countAxis";

export interface SpeedupPoint {
  label: string;
  temperature: number;
  speedup: number;
  min: number;
  max: number;
}

export function speedupChart(points: readonly SpeedupPoint[], title = "Speed-up over target-only decoding"): TopLevelSpec {
  return {
    title,
    data: {values: points.filter(p => Number.isFinite(p.speedup)).map(p => ({...p, temperature: `T = ${p.temperature}`}))},
    facet: {column: {field: "temperature", type: "nominal", title: null}},
    spec: {
      width: 220,
      height: 260,
      layer: [
        {mark: {type: "bar"}, encoding: {
          y: {field: "label", type: "nominal", title: null, sort: null},
          x: {field: "speedup", type: "quantitative", title: "speed-up (×)"},
          color: {condition: {test: "datum.label === 'adaedl'", value: "#e4572e"}, value: "#4c78a8"}
        }},
        {mark: {type: "rule"}, encoding: {y: {field: "label", type: "nominal", sort: null}, x: {field: "min", type: "quantitative"}, x2: {field: "max"}}},
        {mark: {type: "rule", strokeDash: [4, 3]}, encoding: {x: {datum: 1}}}
      ]
    }
  } as TopLevelSpec;
}

/** Acceptance rate by draft entropy, with AdaEDL's lower bound 1 − sqrt(γ·H) drawn over it. */
/**
 * Which entropy the charts show: at T > 0 the sampled map's own; greedy, that of the draft's top-40
 * map renormalised, which reads lower than the full distribution's (docs/algorithm.md, "The
 * entropy from a truncated map").
 */
export const ENTROPY_AXIS_TITLE = "draft entropy H (nats; greedy: of its top 40, renormalised)";

export function acceptanceChart(bins: readonly AcceptanceBin[], gamma: number, title: string | {text: string; subtitle: string} = "Acceptance vs draft entropy"): TopLevelSpec {
  const points = bins.filter(b => b.drafted > 0).map(b => ({
    temperature: b.series ?? `T = ${b.temperature}`,
    entropy: b.hi < 50 ? (b.lo + b.hi) / 2 : b.lo + 0.5,
    acceptance: acceptanceRate(b),
    drafted: b.drafted
  }));
  const maxEntropy = Math.max(3, ...points.map(p => p.entropy));
  const bound = Array.from({length: 61}, (_, i) => {
    const h = (maxEntropy * i) / 60;
    return {entropy: h, bound: Math.max(0, acceptanceBound(gamma, h))};
  });
  return {
    title,
    width: 420,
    height: 260,
    layer: [
      {data: {values: bound}, mark: {type: "line", strokeDash: [6, 3], color: "#888"},
        encoding: {x: {field: "entropy", type: "quantitative", title: ENTROPY_AXIS_TITLE}, y: {field: "bound", type: "quantitative"}}},
      // Size goes on the points only: on a line it is the stroke width, up to 300 px, whose bounds
      // blew the chart up to three times its size.
      {data: {values: points}, encoding: {
        x: {field: "entropy", type: "quantitative"},
        y: {field: "acceptance", type: "quantitative", title: "acceptance rate", scale: {domain: [0, 1]}},
        color: {field: "temperature", type: "nominal", title: null}
      }, layer: [
        {mark: {type: "line"}},
        {mark: {type: "point", filled: true}, encoding: {size: {field: "drafted", type: "quantitative", title: "drafted", scale: {range: [20, 300]}, legend: COUNT_LEGEND}}}
      ]}
    ]
  } as TopLevelSpec;
}

/** Share of rounds by draft length, one row per policy. */
export function draftLengthChart(rows: readonly DraftLengthCounts[], title = "Draft lengths (share of rounds)"): TopLevelSpec {
  const values = rows.flatMap(row => {
    const total = row.counts.reduce((a, b) => a + b, 0) || 1;
    return row.counts.map((count, k) => ({label: row.label, k, share: count / total})).filter(v => v.share > 0);
  });
  return {
    title,
    data: {values},
    width: 420,
    height: {step: 18},
    mark: "rect",
    encoding: {
      x: {field: "k", type: "ordinal", title: "tokens drafted in a round", axis: {labelAngle: 0}},
      y: {field: "label", type: "nominal", title: null, sort: null},
      // A percentage: one share alone (every round alike) otherwise prints as "1.000000".
      color: {field: "share", type: "quantitative", title: "share", scale: {scheme: "blues"}, legend: {format: ".0%"}}
    }
  } as TopLevelSpec;
}

/** λ per round; rounds are counted, so the x axis has whole-number ticks. */
export function lambdaChart(traces: ReadonlyArray<{series: string; lambda: readonly number[]}>, title = "AdaEDL threshold λ over rounds"): TopLevelSpec {
  const values = traces.flatMap(t => t.lambda.map((lambda, round) => ({series: t.series, round, lambda})).filter(v => Number.isFinite(v.lambda)));
  return {
    title,
    data: {values},
    width: 420,
    height: 200,
    // Points while there are few rounds: a line through one point draws nothing.
    mark: {type: "line", point: values.length <= 20},
    encoding: {
      x: {field: "round", type: "quantitative", title: "round", axis: COUNT_AXIS, scale: countScale(values.map(v => v.round))},
      y: {field: "lambda", type: "quantitative", title: "λ", scale: paddedScale(values.map(v => v.lambda)), axis: {format: ".3~f"}},
      color: {field: "series", type: "nominal", title: null}
    }
  } as TopLevelSpec;
}

/** y over a count x (the session's completions), with a dashed rule at y = 1 (break-even). */
export function lineChart(points: ReadonlyArray<{x: number; y: number}>, title: string, xTitle: string, yTitle: string): TopLevelSpec {
  const x = {field: "x", type: "quantitative", title: xTitle, axis: COUNT_AXIS, scale: countScale(points.map(p => p.x))};
  return {
    title,
    data: {values: [...points]},
    width: 420,
    height: 200,
    layer: [
      {mark: {type: "line", point: true}, encoding: {x, y: {field: "y", type: "quantitative", title: yTitle}}},
      {mark: {type: "rule", strokeDash: [4, 3]}, encoding: {y: {datum: 1}}}
    ]
  } as TopLevelSpec;
}

/**
 * A scale around the values with some room on both sides: a λ that never moved would otherwise
 * give a zero-height domain and a lone tick printed as "0.623000".
 */
function paddedScale(values: readonly number[]): {domain: [number, number]; zero: false} | {zero: false} {
  if (values.length === 0) return {zero: false};
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = Math.max(0.01, (hi - lo) * 0.1);
  return {domain: [lo - pad, hi + pad], zero: false};
}
