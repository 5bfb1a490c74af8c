// The engine's calibration as plots: the cost curve of a target pass by its width, and the learned
// entropy → acceptance map beside AdaEDL's bound. Both come from a CalibrationSnapshot, which the
// engine has from load (the measured costs and the map's prior) before any completion.
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};
import type {CostRatios} from "../../engine/drafting/costModel";
import type {AcceptanceBinEstimate} from "../../engine/drafting/acceptanceMap";
import {acceptanceBound} from "../../engine/drafting/adaedl";
import {COUNT_AXIS, countScale} from "./countAxis";
import {ENTROPY_AXIS_TITLE} from "./specs";

/** Widest pass the curve shows: a full 16-token draft plus the bonus token. */
export const COST_CURVE_MAX_TOKENS = 17;

/** C_t(n)/C_t(1) for n = 1..17, greedy and sampled verification, with the draft token's C_d/C_t(1) as a reference rule. */
export function costCurveChart(greedy: CostRatios, sampled: CostRatios, title = "Cost of a target pass by its width"): TopLevelSpec {
  const curve = (setting: string, ratios: CostRatios) => ratios.target.slice(0, COST_CURVE_MAX_TOKENS)
    .map((ratio, i) => ({setting, n: i + 1, ratio})).filter(p => Number.isFinite(p.ratio));
  const points = [...curve("greedy", greedy), ...curve("sampled (T > 0)", sampled)];
  // Every width gets its tick: the curve is read at a given n (a draft of n − 1 tokens plus the bonus one).
  const widths = [...new Set(points.map(p => p.n))];
  // The draft costs the same in both settings (it always samples its own distribution).
  const draft = Number.isFinite(greedy.draft) ? greedy.draft : sampled.draft;
  const layers: object[] = [
    {data: {values: points}, mark: {type: "line", point: true},
      encoding: {
        x: {field: "n", type: "quantitative", title: "tokens n in one target pass", axis: {...COUNT_AXIS, values: widths}, scale: countScale(widths)},
        y: {field: "ratio", type: "quantitative", title: "C_t(n) ÷ C_t(1)", scale: {zero: true}},
        color: {field: "setting", type: "nominal", title: null}
      }}
  ];
  if (Number.isFinite(draft)) {
    const reference = [{ratio: draft, label: `one draft token: C_d ÷ C_t(1) = ${draft.toFixed(3)}`}];
    layers.push(
      {data: {values: reference}, mark: {type: "rule", strokeDash: [4, 3], color: "#888"}, encoding: {y: {field: "ratio", type: "quantitative"}}},
      {data: {values: reference}, mark: {type: "text", align: "left", dx: 4, dy: -6, color: "#888"},
        encoding: {y: {field: "ratio", type: "quantitative"}, x: {datum: 1, type: "quantitative"}, text: {field: "label"}}}
    );
  }
  return {title, width: 420, height: 220, layer: layers} as TopLevelSpec;
}

/** Where on the entropy axis a bin is drawn: its middle; the open last bin at its lower edge + 1 nat (as the map's prior). */
export function binEntropy(bin: {lo: number; hi: number}): number {
  return bin.hi < 50 ? (bin.lo + bin.hi) / 2 : bin.lo + 1;
}

/**
 * The learned acceptance estimate per entropy bin, each bin with evidence labelled with its judged
 * token count (hollow points: none yet, the estimate is still the prior), and AdaEDL's bound
 * 1 − sqrt(γ·H) for the γ given (the one in use) dashed beside it. `note`: the subtitle's account of γ.
 */
export function acceptanceMapChart(bins: readonly AcceptanceBinEstimate[], gamma: number, title = "Learned acceptance by draft entropy",
  note = `dashed: AdaEDL's bound 1 − sqrt(γ·H), γ = ${gamma}`): TopLevelSpec {
  const points = bins.map(bin => ({
    entropy: binEntropy(bin),
    estimate: bin.estimate,
    // Judged counts decay with forgetting; the label says roughly how much evidence there is.
    judged: Math.round(bin.judged),
    label: String(Math.round(bin.judged))
  })).filter(p => Number.isFinite(p.estimate));
  const maxEntropy = Math.max(3, ...points.map(p => p.entropy));
  const bound = Array.from({length: 61}, (_, i) => {
    const entropy = (maxEntropy * i) / 60;
    return {entropy, bound: Math.max(0, acceptanceBound(gamma, entropy))};
  });
  const x = {field: "entropy", type: "quantitative", title: ENTROPY_AXIS_TITLE};
  return {
    title: {text: title, subtitle: [note, "numbers: judged draft tokens in the bin; hollow: none yet (the prior)"]},
    width: 420,
    height: 240,
    layer: [
      {data: {values: bound}, mark: {type: "line", strokeDash: [6, 3], color: "#888"},
        encoding: {x, y: {field: "bound", type: "quantitative"}}},
      {data: {values: points}, layer: [
        {mark: {type: "line", color: "#4c78a8"},
          encoding: {x, y: {field: "estimate", type: "quantitative", title: "acceptance probability", scale: {domain: [0, 1]}}}},
        {mark: {type: "point", color: "#4c78a8", size: 40},
          encoding: {x, y: {field: "estimate", type: "quantitative"}, fill: {condition: {test: "datum.judged > 0", value: "#4c78a8"}, value: "transparent"}}},
        {transform: [{filter: "datum.judged > 0"}], mark: {type: "text", dy: -10, fontSize: 10},
          encoding: {x, y: {field: "estimate", type: "quantitative"}, text: {field: "label"}}}
      ]}
    ]
  } as TopLevelSpec;
}
