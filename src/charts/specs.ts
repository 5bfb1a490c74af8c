// Vega-Lite specifications of Draftstop's four plots, from plain data, shared by the benchmark's
// SVG files and the stats panel.
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};
import {acceptanceRate, AcceptanceBin, DraftLengthCounts} from "../engine/stats";

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
export function acceptanceChart(bins: readonly AcceptanceBin[], gamma: number, title = "Acceptance vs draft entropy"): TopLevelSpec {
  const points = bins.filter(b => b.drafted > 0).map(b => ({
    temperature: b.series ?? `T = ${b.temperature}`,
    entropy: b.hi < 50 ? (b.lo + b.hi) / 2 : b.lo + 0.5,
    acceptance: acceptanceRate(b),
    drafted: b.drafted
  }));
  const maxEntropy = Math.max(3, ...points.map(p => p.entropy));
  const bound = Array.from({length: 61}, (_, i) => {
    const h = (maxEntropy * i) / 60;
    return {entropy: h, bound: Math.max(0, 1 - Math.sqrt(gamma * h))};
  });
  return {
    title,
    width: 420,
    height: 260,
    layer: [
      {data: {values: bound}, mark: {type: "line", strokeDash: [6, 3], color: "#888"},
        encoding: {x: {field: "entropy", type: "quantitative", title: "draft entropy H (nats)"}, y: {field: "bound", type: "quantitative"}}},
      {data: {values: points}, mark: {type: "line", point: true},
        encoding: {
          x: {field: "entropy", type: "quantitative"},
          y: {field: "acceptance", type: "quantitative", title: "acceptance rate", scale: {domain: [0, 1]}},
          color: {field: "temperature", type: "nominal", title: null},
          size: {field: "drafted", type: "quantitative", title: "drafted", scale: {range: [20, 300]}}
        }}
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
      x: {field: "k", type: "ordinal", title: "tokens drafted in a round"},
      y: {field: "label", type: "nominal", title: null, sort: null},
      color: {field: "share", type: "quantitative", title: "share", scale: {scheme: "blues"}}
    }
  } as TopLevelSpec;
}

export function lambdaChart(traces: ReadonlyArray<{series: string; lambda: readonly number[]}>, title = "AdaEDL threshold λ over rounds"): TopLevelSpec {
  return {
    title,
    data: {values: traces.flatMap(t => t.lambda.map((lambda, round) => ({series: t.series, round, lambda})).filter(v => Number.isFinite(v.lambda)))},
    width: 420,
    height: 200,
    mark: {type: "line"},
    encoding: {
      x: {field: "round", type: "quantitative", title: "round"},
      y: {field: "lambda", type: "quantitative", title: "λ", scale: {zero: false}},
      color: {field: "series", type: "nominal", title: null}
    }
  } as TopLevelSpec;
}

export function lineChart(points: ReadonlyArray<{x: number; y: number}>, title: string, xTitle: string, yTitle: string): TopLevelSpec {
  return {
    title,
    data: {values: [...points]},
    width: 420,
    height: 200,
    layer: [
      {mark: {type: "line", point: true}, encoding: {x: {field: "x", type: "quantitative", title: xTitle}, y: {field: "y", type: "quantitative", title: yTitle}}},
      {mark: {type: "rule", strokeDash: [4, 3]}, encoding: {y: {datum: 1}}}
    ]
  } as TopLevelSpec;
}
