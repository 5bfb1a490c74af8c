// What the statistics panel's live plots are drawn from, gathered from the session history and the
// engine's snapshot. No vscode here, so the panel screenshots test (test/e2e/panelCharts.test.ts)
// draws its charts through exactly this path, from real generations.
import {draftSources} from "../../engine/drafting/drafters";
import type {DrafterSetting} from "../../engine/options";
import type {PolicySpec} from "../../engine/drafting/policies";
import {gammaInUse} from "../charts/gammaInUse";
import type {SessionChartData} from "../charts/sessionCharts";
import type {SessionSnapshot} from "../session/engineSession";
import type {SessionHistory} from "../session/history";

/**
 * `drafter`: the draftstop.drafter setting. `policySpec`: the spec last sent to the engine, when known
 * (it holds AdaEDL's γ, which the engine's snapshot does not report).
 */
export function sessionChartData(history: SessionHistory, snapshot: SessionSnapshot, drafter: DrafterSetting, policySpec: PolicySpec | undefined): SessionChartData {
  const {stats, info, policy, calibration} = snapshot;
  return {
    completions: history.size,
    speedups: history.speedups(),
    acceptanceBins: history.acceptanceBins(),
    draftLengths: history.draftLengths(policy?.name ?? "session"),
    lambdaTrace: history.lambdaTrace(),
    totals: stats,
    policy: policy?.name,
    draft: {sources: draftSources(drafter, info?.draft !== undefined, policy?.name), idle: policy?.state.speculating === false},
    gamma: gammaInUse(policy?.name, policySpec, calibration?.gamma),
    calibration
  };
}
