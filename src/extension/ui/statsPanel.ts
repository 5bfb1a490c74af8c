// The statistics panel: live plots of this session (speed-up over time, acceptance vs entropy,
// draft lengths, λ, the cost curve and the learned acceptance map) and the latest benchmark's plots
// and table. Charts are rendered to SVG here, in the extension host; the webview only shows them
// (strict Content-Security-Policy, one script).
import {randomBytes} from "node:crypto";
import * as vscode from "vscode";
import {BENCH_COLUMNS, benchCells, BenchJson} from "../../benchmark/report";
import {acceptanceChart, draftLengthChart, lambdaChart, speedupChart} from "../charts/specs";
import {PANEL_THEME} from "../charts/render";
import {chartsHtml} from "../charts/chartsHtml";
import {chart, note} from "../charts/panelChart";
import {sessionCharts} from "../charts/sessionCharts";
import {ADAEDL_DEFAULTS} from "../../engine/drafting/policies";
import type {PolicySpec, PolicyState} from "../../engine/drafting/policies";
import type {DrafterSetting} from "../../engine/options";
import {draftSources} from "../../engine/drafting/drafters";
import type {CalibrationSnapshot} from "../../engine/drafting/engineCalibration";
import type {EngineSession} from "../session/engineSession";
import type {SessionHistory} from "../session/history";
import type {DraftstopLog} from "./log";
import type {RequestOutcomes} from "../completion/requestOutcomes";
import {extraContextHtml, requestsTableHtml} from "./requestsTable";
import {draftSourcesText, lookupRoundsText} from "./statusText";
import {sessionChartData} from "./sessionChartData";
import {sharedProcessText} from "./sharedProcessText";

export interface StatsPanelSources {
  session: EngineSession;
  history: SessionHistory;
  latestBenchmark(): BenchJson | undefined;
  log: DraftstopLog;
  /** The draftstop.drafter setting (it travels with each request, the session does not hold it). */
  drafter(): DrafterSetting;
  /** How this session's completion requests ended (the "Requests" block). */
  outcomes?: RequestOutcomes;
  /** Whether extra context is on (draftstop.extraContext.enable and a token budget above 0). */
  extraContextEnabled?(): boolean;
  /** Fires when Draftstop's settings change (the panel shows some: the drafter, extra context, the policy). */
  onDidChangeSettings?: vscode.Event<unknown>;
  /** The policy spec in use, for the parameters the engine does not report (AdaEDL's γ for the bound). */
  policySpec?(): PolicySpec | undefined;
}

const RENDER_INTERVAL_MS = 1000;

export class StatsPanel implements vscode.Disposable {
  static readonly viewType = "draftstop.stats";
  private static current: StatsPanel | undefined;
  private sequence = 0;
  private pending: NodeJS.Timeout | undefined;
  private lastRender = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** Opens the panel, or brings it to the front. */
  static show(extensionUri: vscode.Uri, sources: StatsPanelSources): StatsPanel {
    if (StatsPanel.current) {
      StatsPanel.current.panel.reveal();
      StatsPanel.current.schedule();
      return StatsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(StatsPanel.viewType, "Draftstop Statistics", vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, "media")]
    });
    StatsPanel.current = new StatsPanel(panel, extensionUri, sources);
    return StatsPanel.current;
  }

  /** The open panel, if any (tests and the benchmark command use it). */
  static get instance(): StatsPanel | undefined {
    return StatsPanel.current;
  }

  /** Number of renders posted to the webview. */
  get renders(): number {
    return this.sequence;
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly sources: StatsPanelSources) {
    const webview = panel.webview;
    const nonce = randomBytes(16).toString("base64");
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", file));
    webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; img-src ${webview.cspSource} data:; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media("statsPanel.css")}">
<title>Draftstop Statistics</title></head>
<body>
<h1>Draftstop statistics</h1>
<section id="summary"><p class="empty">Loading…</p></section>
<h2>This session</h2>
<section id="live" class="charts"></section>
<h2>Requests</h2>
<section id="requests"><p class="empty">No completion requests yet.</p></section>
<h2>Latest benchmark</h2>
<section id="benchmark"><p class="empty">No benchmark yet. Run <b>Draftstop: Benchmark This Workspace</b>.</p></section>
<script nonce="${nonce}" src="${media("statsPanel.js")}"></script>
</body></html>`;
    this.subscriptions.push(
      webview.onDidReceiveMessage(message => message?.kind === "ready" && this.schedule(true)),
      panel.onDidDispose(() => this.dispose())
    );
    const onChange = () => this.schedule();
    sources.session.on("change", onChange);
    if (sources.outcomes) this.subscriptions.push(sources.outcomes.onDidRecord(onChange));
    if (sources.onDidChangeSettings) this.subscriptions.push(sources.onDidChangeSettings(onChange));
    this.subscriptions.push({dispose: () => sources.session.off("change", onChange)});
  }

  /** Re-renders soon (at most once a second, charts take tens of milliseconds). */
  schedule(now = false): void {
    if (this.pending) return;
    const wait = now ? 0 : Math.max(0, RENDER_INTERVAL_MS - (Date.now() - this.lastRender));
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.render().catch(error => this.sources.log.warn(`stats panel: ${(error as Error).message}`));
    }, wait);
  }

  private async render(): Promise<void> {
    this.lastRender = Date.now();
    // The process as a whole (with sharing, every window's): asked at each render, a reply of a few hundred bytes.
    const resources = this.sources.session.ready ? await this.sources.session.resources().catch(() => undefined) : undefined;
    const machine = sharedProcessText(resources);
    const sections = {summary: this.summaryHtml() + (machine ? `\n<p class="note" id="machine">${escapeHtml(machine)}</p>` : ""), live: await this.liveHtml(), benchmark: await this.benchmarkHtml(),
      requests: requestsTableHtml(this.sources.outcomes?.table() ?? []) +
        (this.sources.outcomes ? extraContextHtml(this.sources.outcomes.extraContext, this.sources.extraContextEnabled?.() ?? false) : "")};
    await this.panel.webview.postMessage({kind: "render", sequence: ++this.sequence, sections});
  }

  private summaryHtml(): string {
    const {stats, info, policy, calibration} = this.sources.session.snapshot;
    if (!info) return `<p class="empty">No models are loaded.</p>`;
    const figure = (value: string, label: string) => `<div><div class="value">${value}</div><div class="label">${label}</div></div>`;
    const s = stats;
    const figures = s && s.tokens > 0 ? [
      figure(Number.isFinite(s.estimatedSpeedup) ? `${s.estimatedSpeedup.toFixed(2)}×` : "–", "estimated speed-up"),
      figure(s.tokensPerSecond.toFixed(1), "tokens / s"),
      figure(`${(s.acceptanceRate * 100).toFixed(1)} %`, "acceptance"),
      figure(s.meanDraftLength.toFixed(2), "mean draft length"),
      figure(s.tokensPerRound.toFixed(2), "tokens per target pass"),
      figure(String(s.generations), "completions"),
      // Which drafter produced the accepted tokens.
      ...(s.drafted > 0 ? [
        figure(String(s.accepted - s.lookupAccepted), "accepted from the draft model"),
        figure(String(s.lookupAccepted), "accepted from lookup"),
        figure(`${(s.lookupShare * 100).toFixed(1)} %`, "lookup share of accepted")
      ] : [])
    ].join("") : `<p class="empty">No completions yet.</p>`;
    const drafter = this.sources.drafter();
    const sources = draftSources(drafter, info.draft !== undefined, policy?.name);
    const lookupRounds = s && s.lookupRounds > 0 ? ` ${escapeHtml(lookupRoundsText(s))}.` : "";
    return `<div class="summary">${figures}</div>
<p class="note">${escapeHtml(info.target.name)}${info.draft ? ` with the draft model ${escapeHtml(info.draft.name)}` : ""} on ${escapeHtml(info.device)};
drafts: ${escapeHtml(draftSourcesText(drafter, sources, policy?.name))};
policy ${escapeHtml(policy?.name ?? "?")}${typeof policy?.state.lambda === "number" ? `, λ = ${policy.state.lambda.toFixed(3)}` : ""}.${lookupRounds}
The speed-up estimate divides the time target-only decoding would take (each completion's tokens × what one target token cost
when it ended, the cost model's level from the latest passes, so it follows the machine's load; ${s && Number.isFinite(s.targetTokenMs) ? `${s.targetTokenMs.toFixed(2)} ms now` : "not measured yet"})
by the time speculative decoding took.</p>
${calibration ? costModelHtml(calibration, policy?.state, sources !== "model" && sources !== "none") : ""}`;
  }

  /** Every live chart, or in its place the sentence saying why it has nothing to show yet (extension/charts/sessionCharts.ts). */
  private async liveHtml(): Promise<string> {
    const {history, session} = this.sources;
    return chartsHtml(sessionCharts(sessionChartData(history, session.snapshot, this.sources.drafter(), this.sources.policySpec?.())), PANEL_THEME);
  }

  private async benchmarkHtml(): Promise<string> {
    const bench = this.sources.latestBenchmark();
    if (!bench) return `<p class="empty">No benchmark yet. Run <b>Draftstop: Benchmark This Workspace</b>.</p>`;
    // The benchmark runs AdaEDL with its default parameters (benchmark/runner.ts), so its bound is the default γ's.
    const drafted = bench.entropyBins.filter(b => b.drafted > 0);
    const charts = [
      chart(speedupChart(bench.runs.map(r => ({label: r.label, temperature: r.temperature, speedup: r.speedup, min: r.spread.min, max: r.spread.max})))),
      drafted.length > 0
        ? chart(acceptanceChart(drafted, ADAEDL_DEFAULTS.gamma, `Acceptance vs draft entropy (AdaEDL bound dashed, γ = ${ADAEDL_DEFAULTS.gamma})`))
        : note("Acceptance vs draft entropy", "No drafted tokens in this benchmark: its runs drafted by lookup only or ran the target alone."),
      chart(draftLengthChart(bench.draftLengths.filter(d => d.temperature === bench.settings.temperatures[0]))),
      chart(lambdaChart(bench.lambdaTraces.map(t => ({series: `T = ${t.temperature}`, lambda: t.lambda}))))
    ];
    const shown = BENCH_COLUMNS.indexOf("tok/round") + 1; // the table's columns up to tokens per round
    const rows = bench.runs.map(r => `<tr class="${r.policy}">` +
      benchCells(r).slice(0, shown).map(c => `<td>${escapeHtml(c)}</td>`).join("") + "</tr>").join("");
    const header = BENCH_COLUMNS.slice(0, shown).map(c => `<th>${c}</th>`).join("");
    return `<p class="note">${escapeHtml(bench.models.target)}${bench.models.draft ? ` + ${escapeHtml(bench.models.draft)}` : ""}${bench.models.padded ? " (padded target)" : ""};
${bench.settings.tasks} tasks × ${bench.settings.repeats} repeats on ${escapeHtml(bench.machine.cpu)}, ${escapeHtml(bench.machine.gpu)}.</p>
<div class="charts">${await chartsHtml(charts, PANEL_THEME)}</div>
<table><thead><tr>${header}</tr></thead><tbody>${rows}</tbody></table>`;
  }

  dispose(): void {
    if (StatsPanel.current === this) StatsPanel.current = undefined;
    if (this.pending) clearTimeout(this.pending);
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
  }
}

/**
 * The cost model as a table of C_t(n)/C_t(1) and C_d/C_t(1), with what the cost-aware rule makes of it.
 * `lookupDrafts`: lookup may draft, so an idle draft model does not leave the target alone.
 */
function costModelHtml(calibration: CalibrationSnapshot, state: PolicyState | undefined, lookupDrafts: boolean): string {
  const costs = calibration.setting === "greedy" ? calibration.greedyCosts : calibration.sampledCosts;
  const shown = [1, 2, 3, 4, 5, 9, 17].filter(n => n <= costs.target.length);
  const cells = shown.map(n => `<td>${costs.target[n - 1]!.toFixed(2)}</td>`).join("");
  const gain = state?.speculationGain;
  const idle = ` The draft is idle: speculation with it has not earned its way in on this machine, so ${lookupDrafts
    ? "only lookup drafts, where its own rounds have paid" : "the target decodes alone"} (one round in a few dozen still tries the draft`;
  const verdict = state?.speculating === undefined ? ""
    : !state.speculating ? `${idle}).`
      : state.exploring ? `${idle}; this round is one).`
        : gain !== undefined && gain < 1 ? " The draft is running while its measured gain may still be noise; it stops once the gain is below break-even beyond doubt."
          : " The draft is running: speculation has been paying.";
  return `<table class="costs"><thead><tr><th>n tokens per target pass</th>${shown.map(n => `<th>${n}</th>`).join("")}<th>draft token</th></tr></thead>
<tbody><tr><td>cost ÷ one target token</td>${cells}<td>${Number.isFinite(costs.draft) ? costs.draft.toFixed(3) : "–"}</td></tr></tbody></table>
<p class="note">Cost model (${escapeHtml(calibration.setting)}): measured${measuredWhen(calibration.calibrationMeasuredAt)} in ${calibration.calibrationMs.toFixed(0)} ms and refined by every round;
one target token takes ${costs.targetTokenMs.toFixed(2)} ms.${gain !== undefined && Number.isFinite(gain) ? ` Rounds that ran the draft gave ${gain.toFixed(2)}× target-only.` : ""}${verdict}</p>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]!);
}

/**
 * When the load-time measurement was made: a load within minutes of the last one on the same pair
 * and settings (another window's, a restarted model process's) reuses it rather than timing again.
 */
function measuredWhen(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? " at load" : ` at ${at.toLocaleTimeString()}`;
}
