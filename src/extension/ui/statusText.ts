// What the status bar item says, as plain data (text, tooltip markdown), so it is tested without VS Code.
import type {DrafterSetting, EngineInfo, PolicyState, StatsSummary} from "../../engine";
import type {EngineState} from "../session/engineSession";
import {formatBytes} from "../../engine/formatBytes";
import {draftSources, DraftSources} from "../../engine/drafting/drafters";
import {describeOutcome, RequestOutcome} from "../completion/requestOutcome";
import type {SnoozeState} from "../completion/snooze";

export interface StatusInput {
  state: EngineState;
  info?: EngineInfo;
  stats?: StatsSummary;
  policy?: {name: string; state: PolicyState};
  /** Why the draft model is not in use, when it failed to load. */
  draftProblem?: string;
  /** The draftstop.drafter setting; default "auto". */
  drafter?: DrafterSetting;
  /** The snooze in effect, if any: it replaces the live numbers while the models are ready. */
  snooze?: SnoozeState;
  /** How long the completion in flight has been generating (state "generating"). */
  generatingMs?: number;
  /** The latest request's outcome, and the latest one that ran the model (or was served what it wrote). */
  lastOutcome?: RequestOutcome;
  lastGenerated?: RequestOutcome;
  /** Date.now() for "in 12 min"; injected by tests. */
  now?: number;
}

export interface StatusText {
  text: string;
  tooltip: string;
  /** "error" and "warning" pick the status bar's background colour. */
  severity?: "error" | "warning";
}

const DEVICE_NAMES: Record<string, string> = {cpu: "CPU", cuda: "CUDA", metal: "Metal", vulkan: "Vulkan"};

export function statusText(input: StatusInput): StatusText {
  const {state} = input;
  switch (state.kind) {
    case "disabled":
      return {text: "$(circle-slash) Draftstop", tooltip: "Draftstop completions are off. Run **Draftstop: Enable Completions** to turn them on."};
    case "noModels":
      return {text: "$(cloud-download) Draftstop: no models", tooltip: "No target model is set. Run **Draftstop: Download Recommended Models** or **Draftstop: Select Target Model**.",
        severity: "warning"};
    case "loading":
      return {text: `$(loading~spin) Draftstop: ${state.what}`, tooltip: `Draftstop is ${state.what}…`};
    case "error":
      return {text: "$(error) Draftstop", tooltip: `**Draftstop error**\n\n${escape(state.message)}\n\nClick for the menu (Show Log has the details).`, severity: "error"};
    case "ready":
    case "generating": {
      const severity = input.draftProblem ? "warning" : undefined;
      if (input.snooze?.snoozed) return {text: `$(bell-slash) Draftstop: ${snoozeLabel(input.snooze)}`, tooltip: tooltip(input), severity};
      const live = liveNumbers(input.stats, sourcesOf(input));
      return {text: state.kind === "generating" ? `$(sync~spin) ${generatingText(live, input.generatingMs)}` : `$(zap) ${live}`, tooltip: tooltip(input), severity};
    }
  }
}

/**
 * `generating 3 s · 2.1× · 41 tok/s …`, or `Draftstop: generating` before there are live numbers.
 * The seconds appear from the first whole second on: most completions end sooner, and a counter
 * stuck at 0 s would say nothing.
 */
export function generatingText(live: string, generatingMs: number | undefined): string {
  const elapsed = generatingMs !== undefined && generatingMs >= 1000 ? ` ${Math.floor(generatingMs / 1000)} s` : "";
  return live.startsWith("Draftstop: ") ? `Draftstop: generating${elapsed}` : `generating${elapsed} · ${live}`;
}

/** `snoozed until 14:35` (local time) or `snoozed until resumed`. */
export function snoozeLabel(snooze: Extract<SnoozeState, {snoozed: true}>): string {
  return snooze.until === undefined ? "snoozed until resumed" : `snoozed until ${clockTime(snooze.until)}`;
}

/** `in 12 min`, `in 40 s`: what is left of a timed snooze. */
export function timeLeft(until: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((until - now) / 1000));
  return seconds < 60 ? `in ${seconds} s` : `in ${Math.ceil(seconds / 60)} min`;
}

/** Local HH:MM, the same in every locale. */
function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** `2.1× · 41 tok/s · 83 % · k̄ 4.2` (`· lookup 40 %` once lookup drafts were accepted), or what is known so far. */
export function liveNumbers(stats: StatsSummary | undefined, sources: DraftSources): string {
  if (sources === "none") return stats && stats.tokens > 0 ? `target only · ${stats.tokensPerSecond.toFixed(0)} tok/s` : "Draftstop: target only";
  if (!stats || stats.tokens === 0) return sources === "lookup" ? "Draftstop: ready · lookup" : "Draftstop: ready";
  const speedup = Number.isFinite(stats.estimatedSpeedup) ? `${stats.estimatedSpeedup.toFixed(1)}×` : "–×";
  const lookup = stats.lookupAccepted > 0 ? ` · lookup ${Math.round(stats.lookupShare * 100)} %` : "";
  return `${speedup} · ${stats.tokensPerSecond.toFixed(0)} tok/s · ${Math.round(stats.acceptanceRate * 100)} % · k̄ ${stats.meanDraftLength.toFixed(1)}${lookup}`;
}

/** Where drafts come from now, in words: `the draft model or lookup, whichever promises more each round (auto)`. */
export function draftSourcesText(setting: DrafterSetting, sources: DraftSources, policyName?: string): string {
  const auto = setting === "auto" ? " (auto)" : "";
  switch (sources) {
    case "both":
      return `the draft model or lookup, whichever promises more each round${auto}`;
    case "model":
      return "the draft model";
    case "lookup":
      return `lookup: copies of what followed the same tokens earlier in the context${setting === "auto" ? " (auto, no draft model)" : ""}`;
    case "none":
      return policyName === "off" ? "none (policy off)" : `none: the drafter is ${setting} and no draft model is loaded`;
  }
}

/** `20 from the draft model, 15 from lookup (lookup 42.9 %)`: which drafter produced the accepted tokens. */
function acceptedBySource(stats: StatsSummary): string {
  return `${stats.accepted - stats.lookupAccepted} from the draft model, ${stats.lookupAccepted} from lookup ` +
    `(lookup ${(stats.lookupShare * 100).toFixed(1)} %)`;
}

/** `Lookup drafted in 4 of 10 rounds: 20 tokens, 70.0 % of them accepted`. */
export function lookupRoundsText(stats: StatsSummary): string {
  return `Lookup drafted in ${stats.lookupRounds} of ${stats.rounds} rounds: ${stats.lookupDrafted} tokens, ` +
    `${(100 * stats.lookupAccepted / Math.max(1, stats.lookupDrafted)).toFixed(1)} % of them accepted`;
}

function sourcesOf({info, policy, drafter}: StatusInput): DraftSources {
  return draftSources(drafter ?? "auto", info?.draft !== undefined, policy?.name);
}

function tooltip(input: StatusInput): string {
  const {info, stats, policy, draftProblem, snooze} = input;
  const lines: string[] = ["**Draftstop**", ""];
  if (snooze?.snoozed) lines.push(snooze.until === undefined
    ? "Snoozed until resumed: no completions. Resume from the menu (click) or with **Draftstop: Resume Completions**."
    : `Snoozed until ${clockTime(snooze.until)} (${timeLeft(snooze.until, input.now ?? Date.now())}): no completions until then. ` +
      "Resume from the menu (click).", "");
  if (info) {
    lines.push(`Target: ${escape(info.target.name)} (${formatBytes(info.target.sizeBytes)})`);
    lines.push(info.draft ? `Draft: ${escape(info.draft.name)} (${formatBytes(info.draft.sizeBytes)})` : "Draft model: none");
    if (draftProblem) lines.push(`⚠ Draft model not used: ${escape(draftProblem)}`);
    lines.push(`Drafts: ${draftSourcesText(input.drafter ?? "auto", sourcesOf(input), policy?.name)}`);
    lines.push(`Device: ${DEVICE_NAMES[info.device] ?? info.device}${info.gpuDevices.length ? ` (${escape(info.gpuDevices.join(", "))})` : ""}, ` +
      `${info.threads} thread${info.threads === 1 ? "" : "s"} per model, context ${info.contextSize} tokens`);
  }
  if (policy) lines.push(`Policy: ${policy.name}${typeof policy.state.lambda === "number" ? `, λ = ${policy.state.lambda.toFixed(3)}` : ""}` +
    `${policy.state.draftLength !== undefined ? `, K = ${policy.state.draftLength}` : ""}`);
  if (stats && stats.tokens > 0) {
    lines.push("", `${stats.generations} completions, ${stats.tokens} tokens, ${stats.tokensPerSecond.toFixed(1)} tok/s`,
      `Acceptance ${(stats.acceptanceRate * 100).toFixed(1)} %, mean draft length ${stats.meanDraftLength.toFixed(2)}, ` +
      `${stats.tokensPerRound.toFixed(2)} tokens per target pass`);
    if (stats.accepted > 0) lines.push(`Accepted draft tokens: ${acceptedBySource(stats)}`);
    if (stats.lookupRounds > 0) lines.push(lookupRoundsText(stats));
    if (Number.isFinite(stats.estimatedSpeedup))
      lines.push(`Speed-up ≈ ${stats.estimatedSpeedup.toFixed(2)}×: the time the target alone would have taken (tokens × what one ` +
        `target token costs on this machine now, ${stats.targetTokenMs.toFixed(2)} ms, from the latest passes) ÷ the time speculative decoding took.`);
  }
  const {lastOutcome, lastGenerated} = input;
  if (lastGenerated || lastOutcome) lines.push("");
  if (lastGenerated) lines.push(`Last completion: ${escape(describeOutcome(lastGenerated))} at ${escape(lastGenerated.where)}`);
  if (lastOutcome && lastOutcome !== lastGenerated) lines.push(`Last request: ${escape(describeOutcome(lastOutcome))} at ${escape(lastOutcome.where)}`);
  lines.push("", "Click for the menu: statistics, snooze, log.");
  return lines.join("  \n");
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, c => `\\${c}`);
}
