// The statistics panel's live charts after 0, 1, 2 and 100 real completions of the tiny trained
// pair, and after completions where only lookup drafted: the engine runs in this process behind
// the model process's own API (EngineHost), its summaries fill a SessionHistory as in the extension,
// and the charts go through the panel's path (sessionChartData → sessionCharts → render.ts) to
// test-results/panel-charts-*.html and .png. The assertions read the rendered SVG: whole-number
// count axes (no "2.000000"), the sentence in place of an empty chart, the γ in use.
import assert from "node:assert/strict";
import {existsSync} from "node:fs";
import {join} from "node:path";
import {tasksFromSources} from "../../src/benchmark/tasks";
import {escapeHtml} from "../../src/extension/charts/chartsHtml";
import type {PanelChart} from "../../src/extension/charts/panelChart";
import {renderSvg} from "../../src/extension/charts/render";
import {SESSION_CHART_TITLES, sessionCharts} from "../../src/extension/charts/sessionCharts";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import type {DrafterSetting} from "../../src/engine/options";
import type {PolicySpec} from "../../src/engine/drafting/policies";
import {EngineHost} from "../../src/modelProcess/engineHost";
import type {EngineInfo} from "../../src/engine";
import {SessionHistory} from "../../src/extension/session/history";
import {sessionChartData} from "../../src/extension/ui/sessionChartData";
import {axisTickLabels, svgTexts} from "../unit/svgAxisLabels";
import {writePanelPage} from "./panelPage";

const POLICY: PolicySpec = {name: "adaedl", gamma: 0.3};
const INTEGER = /^\d+$/;

/** Lines that repeat, so that lookup finds what to copy. */
const REPEATING = Array.from({length: 6}, (_, i) => `export function scale${i}(value: number): number {\n  return value * ${i + 2};\n}\n`).join("\n");

describe("e2e: statistics panel charts from real completions", function () {
  this.timeout(10 * 60_000);
  const host = new EngineHost();
  let info: EngineInfo;
  const tasks = tasksFromSources([join(repoRoot(), "src")], {count: 20, seed: 5, prefixLines: 20, suffixLines: 5});

  before(async () => {
    const {target, draft} = tinyPairPaths();
    info = (await host.load({targetPath: target, draftPath: draft, threads: 1, contextSize: 1024, policy: POLICY})).info;
  });
  after(async () => host.unload());

  /** A fresh session (as after Reset Stats) with `count` completions; its charts, as the panel draws them. */
  async function session(count: number, drafter: DrafterSetting = "auto", prompt: (i: number) => {prefix: string; suffix: string} = i => tasks[i % tasks.length]!): Promise<PanelChart[]> {
    await host.resetStats();
    const history = new SessionHistory();
    for (let i = 0; i < count; i++) {
      const fim = prompt(i);
      const summary = await host.generate({prompt: {fim: {prefix: fim.prefix, suffix: fim.suffix}}, options: {maxTokens: 12, temperature: 0, drafter}},
        {signal: new AbortController().signal, progress: () => undefined});
      history.add(summary);
    }
    const stats = (await host.stats())!;
    const snapshot = {state: {kind: "ready" as const}, disabled: false, info, stats: stats.summary, policy: stats.policy, calibration: stats.calibration};
    return sessionCharts(sessionChartData(history, snapshot, drafter, POLICY));
  }

  const rendered = async (c: PanelChart | undefined) => c?.kind === "chart" ? renderSvg(c.spec) : assert.fail(`not a chart: ${JSON.stringify(c)}`);

  for (const count of [1, 2, 100]) {
    it(`after ${count} completion${count > 1 ? "s" : ""}, the speed-up axis counts completions in whole numbers up to ${count}`, async () => {
      const charts = await session(count);
      const {png} = await writePanelPage(`panel-charts-${count}`, charts);
      assert.ok(existsSync(png));
      const speedup = await rendered(charts[0]);
      const labels = axisTickLabels(speedup, "X", "completion");
      for (const label of labels) assert.match(label, INTEGER, `completion tick "${label}" (${labels.join(", ")})`);
      assert.ok(labels.includes(String(count)), `the last completion is labelled: ${labels.join(", ")}`);
      assert.ok(!svgTexts(speedup).some(t => /^\d+\.0{3,}$/.test(t)), "no lone tick printed with six decimals, like 2.000000");
      const costCurve = await rendered(charts[4]);
      for (const label of axisTickLabels(costCurve, "X", "tokens n in one target pass")) assert.match(label, INTEGER);
      const map = await rendered(charts[5]);
      assert.ok(map.includes("γ = 0.3 from the adaedl policy"), "the map's bound is drawn for the policy's γ (its subtitle says which)");
    });
  }

  it("before any completion, says so in place of the session's charts and still draws the cost curve and the acceptance map", async () => {
    const charts = await session(0);
    const {html} = await writePanelPage("panel-charts-0", charts);
    assert.deepEqual(charts.map(c => c.kind), ["note", "note", "note", "note", "chart", "chart"]);
    assert.match(html, /No completions yet/);
    assert.match(html, /No drafted tokens yet: no completion has run a round\./);
  });

  it("when only lookup drafted, says why acceptance vs draft entropy is empty instead of drawing an empty frame", async () => {
    const cut = REPEATING.lastIndexOf("return value");
    const charts = await session(3, "lookup", () => ({prefix: REPEATING.slice(0, cut), suffix: REPEATING.slice(cut + 20)}));
    const {html} = await writePanelPage("panel-charts-lookup-only", charts);
    const acceptance = charts[1]!;
    assert.equal(acceptance.kind, "note", "no chart without model drafts");
    assert.equal(acceptance.kind === "note" && acceptance.title, SESSION_CHART_TITLES.acceptance);
    assert.match(acceptance.kind === "note" ? acceptance.text : "", /^No (drafted tokens|tokens from the draft model) yet: .*(lookup|target alone)/);
    assert.ok(html.includes(escapeHtml(acceptance.kind === "note" ? acceptance.text : "?")), "the sentence is on the page");
  });
});
