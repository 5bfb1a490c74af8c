// The statistics panel's chart specifications: count axes print whole numbers (rendered, at 1, 2
// and 100 completions), a chart with no data becomes a sentence saying why, and AdaEDL's bound is
// drawn for the γ in use.
import assert from "node:assert/strict";
import {acceptanceMapChart, costCurveChart} from "../../src/extension/charts/calibrationCharts";
import {COUNT_AXIS} from "../../src/extension/charts/countAxis";
import {gammaInUse} from "../../src/extension/charts/gammaInUse";
import {renderSvg} from "../../src/extension/charts/render";
import {SESSION_CHART_TITLES, SessionChartData, sessionCharts} from "../../src/extension/charts/sessionCharts";
import {acceptanceChart, draftLengthChart, lambdaChart, lineChart} from "../../src/extension/charts/specs";
import {AcceptanceMap} from "../../src/engine/drafting/acceptanceMap";
import {EntropyTransitions} from "../../src/engine/drafting/entropyTransitions";
import type {CostRatios} from "../../src/engine/drafting/costModel";
import type {CalibrationSnapshot} from "../../src/engine/drafting/engineCalibration";
import {axisTickLabels, svgTexts} from "./svgAxisLabels";

type Layer = {data?: {values: Array<Record<string, unknown>>}; layer?: Layer[]; encoding?: Record<string, any>; mark?: any};
const layers = (spec: unknown): Layer[] => (spec as {layer: Layer[]}).layer.flatMap(l => l.layer ? [l, ...l.layer] : [l]);
const INTEGER = /^-?\d+$/;

const ratios = (draft: number): CostRatios => ({target: Array.from({length: 20}, (_, i) => 1 + 0.4 * i), draft, targetTokenMs: 25, draftTokenMs: draft * 25});

function calibration(gamma = 0.2): CalibrationSnapshot {
  const map = new AcceptanceMap({gamma});
  for (let i = 0; i < 30; i++) map.observe(0.1, i % 4 !== 0);
  return {setting: "greedy", greedyCosts: ratios(0.083), sampledCosts: {...ratios(0.083), target: ratios(0).target.map(r => r * 1.2)}, acceptance: map.bins(),
    lookup: [], gain: 1, lookupGains: {single: NaN, agreed: NaN, split: NaN}, roundStarts: new EntropyTransitions().start(), gamma, calibrationMs: 100, calibrationPasses: [{tokens: 1, timed: 9}, {tokens: 2, timed: 9}],
    calibrationMeasuredAt: "2026-12-06T17:20:49.000Z"};
}

function noData(overrides: Partial<SessionChartData> = {}): SessionChartData {
  return {completions: 0, speedups: [], acceptanceBins: [], draftLengths: {label: "costAware", counts: []}, lambdaTrace: [], totals: undefined,
    policy: "costAware", draft: {sources: "both", idle: false}, gamma: {gamma: 0.2, source: "acceptance map prior"}, calibration: undefined, ...overrides};
}

describe("panel charts", () => {
  describe("count axes", () => {
    for (const completions of [1, 2, 100]) {
      it(`labels the session's completion axis with whole numbers after ${completions} completion${completions > 1 ? "s" : ""}`, async () => {
        const points = Array.from({length: completions}, (_, i) => ({x: i + 1, y: 0.6 + i / 500}));
        const labels = axisTickLabels(await renderSvg(lineChart(points, "speed-up", "completion", "speed-up (×)")), "X", "completion");
        assert.ok(labels.length >= 2, `ticks: ${labels.join(", ")}`);
        for (const label of labels) assert.match(label, INTEGER, `tick "${label}" of ${labels.join(", ")}`);
        assert.equal(new Set(labels).size, labels.length, "no tick repeats (as rounded fractions would)");
        assert.ok(labels.includes(String(completions)), `the last completion, ${completions}, is labelled: ${labels.join(", ")}`);
      });
    }

    it("gives a lone completion a one-unit axis instead of a single tick printed as a fraction", async () => {
      const labels = axisTickLabels(await renderSvg(lineChart([{x: 2, y: 0.8}], "s", "completion", "y")), "X", "completion");
      assert.deepEqual(labels, ["2", "3"]);
    });

    it("labels λ's round axis with whole numbers after three rounds", async () => {
      const labels = axisTickLabels(await renderSvg(lambdaChart([{series: "λ", lambda: [0.5, 0.45, 0.4]}])), "X", "round");
      assert.deepEqual(labels, ["0", "1", "2"]);
    });

    it("gives a λ that never moved a readable axis instead of one tick printed as 0.623000", async () => {
      const labels = axisTickLabels(await renderSvg(lambdaChart([{series: "λ", lambda: Array(36).fill(0.623)}])), "Y", "λ");
      assert.ok(labels.length >= 2, labels.join(", "));
      for (const label of labels) assert.match(label, /^0\.\d{1,3}$/, `λ tick "${label}"`);
    });

    it("draws λ after a single round as a visible point", async () => {
      const svg = await renderSvg(lambdaChart([{series: "λ", lambda: [0.5]}]));
      assert.match(svg, /role-mark marktype-symbol|class="mark-symbol role-mark/, "a point mark");
    });

    it("prints the draft-length share legend as a percentage when every round drafted alike", async () => {
      const svg = await renderSvg(draftLengthChart([{label: "adaedl", counts: [0, 2]}]));
      assert.ok(svgTexts(svg).includes("100%"), svgTexts(svg).join(" | "));
      assert.ok(!svgTexts(svg).some(t => /^\d\.0{3,}$/.test(t)));
    });

    it("labels the cost curve's pass width n = 1..17 with whole numbers, for greedy and sampled verification", async () => {
      const spec = costCurveChart(ratios(0.083), ratios(0.083));
      const curve = layers(spec)[0]!;
      assert.equal(curve.encoding!.x.axis.format, COUNT_AXIS.format);
      const values = curve.data!.values;
      for (const setting of ["greedy", "sampled (T > 0)"])
        assert.deepEqual(values.filter(v => v.setting === setting).map(v => v.n), Array.from({length: 17}, (_, i) => i + 1), setting);
      const labels = axisTickLabels(await renderSvg(spec), "X", "tokens n in one target pass");
      for (const label of labels) assert.match(label, INTEGER);
      assert.deepEqual([labels[0], labels.at(-1)], ["1", "17"], `ticks from the narrowest pass to the widest: ${labels.join(", ")}`);
    });

    it("prints the drafted-token size legend of acceptance vs entropy as whole numbers, and keeps the chart its size", async () => {
      const spec = acceptanceChart([{lo: 2, hi: 3, drafted: 2, accepted: 2, temperature: 0}, {lo: 0, hi: 0.05, drafted: 40, accepted: 30, temperature: 0}], 0.2);
      assert.equal(layers(spec).find(l => l.encoding?.size)!.encoding!.size.legend.format, "d");
      // A size on the line made it a 300 px stroke and the SVG 1340 px wide for a 420 px plot.
      const width = Number(/<svg[^>]* width="(\d+)"/.exec(await renderSvg(spec))![1]);
      assert.ok(width < 700, `SVG width ${width}`);
    });
  });

  describe("empty charts", () => {
    it("puts a sentence in place of every chart when nothing has run and no models are loaded", () => {
      const charts = sessionCharts(noData());
      assert.ok(charts.every(c => c.kind === "note"), JSON.stringify(charts.map(c => c.kind)));
      const text = (title: string) => {
        const found = charts.find(c => c.kind === "note" && c.title === title);
        return found?.kind === "note" ? found.text : assert.fail(`no note titled ${title}`);
      };
      assert.match(text(SESSION_CHART_TITLES.speedup), /^No completions yet/);
      assert.equal(text(SESSION_CHART_TITLES.acceptance), "No drafted tokens yet: no completion has run a round.");
      assert.match(text(SESSION_CHART_TITLES.draftLengths), /^No rounds yet/);
      assert.match(text(SESSION_CHART_TITLES.costCurve), /^No cost model yet: the models are not loaded/);
      assert.match(text(SESSION_CHART_TITLES.acceptanceMap), /^No acceptance map yet/);
    });

    it("says why acceptance vs entropy is empty when every round was a lookup draft", () => {
      const [, acceptance] = sessionCharts(noData({totals: {rounds: 5, lookupRounds: 5, drafted: 12, lookupDrafted: 12}, draftLengths: {label: "x", counts: [0, 0, 5]}}));
      assert.equal(acceptance!.kind, "note");
      assert.equal(acceptance!.kind === "note" && acceptance!.text,
        "No tokens from the draft model yet: all 5 rounds drafted by lookup (copied text has no draft entropy).");
    });

    it("says the draft model is idle when the target decoded alone under the cost-aware rule, and counts lookup rounds beside it", () => {
      const data = noData({totals: {rounds: 10, lookupRounds: 3, drafted: 6, lookupDrafted: 6}, draftLengths: {label: "x", counts: [7, 0, 3]},
        draft: {sources: "both", idle: true}});
      const [, acceptance] = sessionCharts(data);
      assert.equal(acceptance!.kind === "note" && acceptance!.text, "No tokens from the draft model yet: 3 rounds of 10 drafted by lookup (copied text has no draft entropy); " +
        "7 rounds of 10 ran the target alone (the draft model is idle because speculation with it has not been paying).");
    });

    it("says no draft model is in use when only lookup can draft and nothing matched", () => {
      const [, acceptance] = sessionCharts(noData({totals: {rounds: 4, lookupRounds: 0, drafted: 0, lookupDrafted: 0}, draftLengths: {label: "x", counts: [4]},
        draft: {sources: "lookup", idle: false}}));
      assert.match(acceptance!.kind === "note" ? acceptance!.text : "", /^No drafted tokens yet: all 4 rounds ran the target alone \(the draft model is not in use/);
    });

    it("says why there is no λ: a policy without a threshold", () => {
      const charts = sessionCharts(noData({policy: "static", draftLengths: {label: "static", counts: [0, 0, 0, 4]}}));
      const lambda = charts.find(c => c.kind === "note" && c.title === SESSION_CHART_TITLES.lambda);
      assert.equal(lambda?.kind === "note" && lambda.text, "No λ: the static policy keeps no threshold (adaedl and costAware do).");
    });

    it("draws the cost curve and the acceptance map as soon as the models are loaded, before any completion", () => {
      const charts = sessionCharts(noData({calibration: calibration()}));
      assert.deepEqual(charts.map(c => c.kind), ["note", "note", "note", "note", "chart", "chart"]);
    });
  });

  describe("AdaEDL's bound for the γ in use", () => {
    const boundAt = (spec: unknown) => new Map(layers(spec)[0]!.data!.values.map(v => [v.entropy as number, v.bound as number]));

    it("draws the learned map's bound 1 − sqrt(γ·H) for the γ given, with each bin's estimate and judged count", async () => {
      const bins = calibration().acceptance;
      const spec = acceptanceMapChart(bins, 0.5);
      for (const [h, bound] of boundAt(spec)) assert.ok(Math.abs(bound - Math.max(0, 1 - Math.sqrt(0.5 * h))) < 1e-12, `H = ${h}`);
      assert.notDeepEqual([...boundAt(spec).values()], [...boundAt(acceptanceMapChart(bins, 0.2)).values()], "another γ draws another bound");
      const points = layers(spec)[1]!.data!.values; // the estimate line, its points and its count labels share these
      assert.deepEqual(points.map(p => p.estimate), bins.map(b => b.estimate));
      const labels = svgTexts(await renderSvg(spec)).filter(t => INTEGER.test(t));
      assert.deepEqual(labels, ["30"], "only the bin with evidence is labelled, with its 30 judged tokens");
    });

    it("says on both entropy axes which entropy it is: the greedy one, of the draft's top 40 renormalised", async () => {
      const title = "draft entropy H (nats; greedy: of its top 40, renormalised)";
      for (const spec of [acceptanceMapChart(calibration().acceptance, 0.2), acceptanceChart([{lo: 1, hi: 1.5, drafted: 4, accepted: 2, temperature: 0}], 0.2)]) {
        assert.ok(axisTickLabels(await renderSvg(spec), "X", title).length > 0, "the axis is drawn with its ticks under that title");
      }
    });

    it("draws the session's acceptance-vs-entropy bound for the γ given", () => {
      const spec = acceptanceChart([{lo: 1, hi: 1.5, drafted: 4, accepted: 2, temperature: 0}], 0.05);
      const bound = boundAt(spec);
      assert.ok(Math.abs(bound.get(3)! - (1 - Math.sqrt(0.15))) < 1e-12);
    });

    it("takes γ from the AdaEDL policy when it runs, and from the acceptance map's prior otherwise", () => {
      assert.deepEqual(gammaInUse("adaedl", {name: "adaedl", gamma: 0.35}, 0.2), {gamma: 0.35, source: "adaedl policy"});
      assert.equal(gammaInUse("adaedl", undefined, 0.3).gamma, 0.2, "AdaEDL's default when the spec is not known");
      assert.deepEqual(gammaInUse("costAware", {name: "adaedl", gamma: 0.35}, 0.3), {gamma: 0.3, source: "acceptance map prior"},
        "a refused adaedl spec is not the policy that runs");
    });

    it("passes the γ in use to both session charts that draw the bound, and names it in their titles", () => {
      const charts = sessionCharts(noData({
        gamma: {gamma: 0.4, source: "adaedl policy"}, calibration: calibration(), completions: 1, speedups: [{x: 1, y: 0.9}],
        acceptanceBins: [{lo: 0.5, hi: 0.75, drafted: 5, accepted: 4, temperature: 0}], totals: {rounds: 2, lookupRounds: 0, drafted: 5, lookupDrafted: 0}
      }));
      const acceptance = charts[1]!, map = charts[5]!;
      for (const c of [acceptance, map]) {
        assert.equal(c.kind, "chart");
        const spec = (c as {spec: {title: unknown}}).spec;
        assert.match(JSON.stringify(spec.title), /γ = 0\.4 from the adaedl policy/);
        assert.ok(Math.abs(boundAt(spec).get(0)! - 1) < 1e-12);
        const [h, b] = [...boundAt(spec)].find(([h]) => h > 0)!;
        assert.ok(Math.abs(b - Math.max(0, 1 - Math.sqrt(0.4 * h))) < 1e-12);
      }
    });
  });
});
