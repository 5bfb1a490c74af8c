// The statistics panel's live plots, from plain data (the session history, the engine's totals and
// calibration): each is a chart, or the sentence saying why it has nothing to show yet. Pure, so
// unit tests and the rendered screenshots check exactly what the panel shows.
import type {CalibrationSnapshot} from "../../engine/drafting/engineCalibration";
import type {DraftLengthCounts} from "../../engine/stats/draftLengthHistogram";
import type {AcceptanceBin} from "../../engine/stats/entropyBins";
import {acceptanceMapChart, costCurveChart} from "./calibrationCharts";
import {DraftModelState, noCalibrationText, noDraftLengthsText, noEntropyAcceptanceText, noLambdaText, noSpeedupText, RoundCounts} from "./emptyChartText";
import {boundNote, GammaInUse} from "./gammaInUse";
import {chart, note, PanelChart} from "./panelChart";
import {acceptanceChart, draftLengthChart, lambdaChart, lineChart} from "./specs";

export interface SessionChartData {
  /** Completions in the history. */
  completions: number;
  speedups: ReadonlyArray<{x: number; y: number}>;
  acceptanceBins: readonly AcceptanceBin[];
  draftLengths: DraftLengthCounts;
  lambdaTrace: readonly number[];
  /** The engine's totals for the session (they say which drafter ran the rounds). */
  totals: RoundCounts | undefined;
  /** The policy the engine reports running. */
  policy: string | undefined;
  draft: DraftModelState;
  gamma: GammaInUse;
  calibration: CalibrationSnapshot | undefined;
}

export const SESSION_CHART_TITLES = {
  speedup: "Estimated speed-up of the session so far",
  acceptance: "Acceptance vs draft entropy",
  draftLengths: "Draft lengths",
  lambda: "λ over rounds",
  costCurve: "Cost of a target pass by its width",
  acceptanceMap: "Learned acceptance by draft entropy"
} as const;

export function sessionCharts(data: SessionChartData): PanelChart[] {
  const t = SESSION_CHART_TITLES;
  const rounds = data.draftLengths.counts.reduce((a, b) => a + b, 0);
  const drafted = data.acceptanceBins.filter(b => b.drafted > 0);
  const hasLambda = data.lambdaTrace.some(Number.isFinite);
  return [
    data.speedups.length > 0 ? chart(lineChart(data.speedups, t.speedup, "completion", "speed-up (×)")) : note(t.speedup, noSpeedupText(data.completions)),
    drafted.length > 0
      ? chart(acceptanceChart(drafted, data.gamma.gamma, {text: t.acceptance, subtitle: boundNote(data.gamma)}))
      : note(t.acceptance, noEntropyAcceptanceText(data.totals, data.draft)),
    rounds > 0 ? chart(draftLengthChart([data.draftLengths], t.draftLengths)) : note(t.draftLengths, noDraftLengthsText()),
    hasLambda
      ? chart(lambdaChart([{series: "λ", lambda: data.lambdaTrace}], data.policy === "adaedl" ? `${t.lambda} (AdaEDL's threshold)` : `${t.lambda} (acceptance a drafted token needs to pay)`))
      : note(t.lambda, noLambdaText(data.policy, rounds)),
    data.calibration
      ? chart(costCurveChart(data.calibration.greedyCosts, data.calibration.sampledCosts, `${t.costCurve}: C_t(n) ÷ C_t(1)`))
      : note(t.costCurve, noCalibrationText("cost model")),
    data.calibration
      ? chart(acceptanceMapChart(data.calibration.acceptance, data.gamma.gamma, `${t.acceptanceMap} (${data.calibration.setting})`, boundNote(data.gamma)))
      : note(t.acceptanceMap, noCalibrationText("acceptance map"))
  ];
}
