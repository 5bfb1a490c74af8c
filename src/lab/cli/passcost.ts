// npm run passcost -- --model F [--threads N]: what one target pass over n tokens costs against a
// pass over one token, n = 1..17, on this machine. Speculative decoding verifies k drafts in one
// pass over k + 1 tokens, so this curve says at a glance whether it can pay here: where C(2)/C(1)
// is near 1 (a GPU with a big model) a drafted token is nearly free to check; where it is near 2
// (a small CPU) a drafted token must be accepted more often than not to pay for itself.
import {parseArgs} from "node:util";
import {writeFileSync} from "node:fs";
import {passCostTable, timeDraftPasses, timeTargetPasses} from "../../engine/decoding/passCost";
import {median} from "../../engine/stats/median";
import {validateCostProfile} from "../bench/costProfiles";
import {PROFILE_PASS_TOKENS, ProfileFile} from "../bench/roofline";
import {GENERATE_DEFAULTS} from "../../engine/options";
import {completeCurve} from "../../engine/drafting/costModel";
import {disposeModel, loadModelPair} from "../../engine/modelPair";
import type {GpuChoice} from "../../engine/options";
import {DraftstopEngine} from "../../engine/engine";
import {integerOption} from "./cliText";

const USAGE = `usage: npm run passcost -- --model F [options]
  --model F        a GGUF file
  --threads N      threads (default 1)
  --gpu G          auto | cuda | metal | vulkan | off (default off)
  --context N      tokens in the context before the timed passes (default 300)
  --repeats N      timings per pass size; the median is printed (default 9)
  --max N          largest pass (default 17)
  --load-calibrations N  then load the model N times as the extension does and print the curve
                   each load-time calibration read (how repeatable that short measurement is)
  --json           print JSON instead of a table
  --draft F        also time the draft's single-token pass (with its top-40 map, as drafting asks)
  --profile FILE   write a cost profile of this machine and pair (needs --draft): the curve as
                   C_t(n)/C_t(1), C_d/C_t(1), for npm run bench -- --clock profile:FILE`;

export interface PassCostReport {
  model: string;
  device: string;
  threads: number;
  contextLength: number;
  repeats: number;
  /** Median ms of a pass over n tokens, index n − 1. */
  ms: number[];
  /** ms[n − 1] / ms[0]. */
  ratio: number[];
}

export async function measurePassCost(options: {model: string; threads: number; gpu: GpuChoice; context: number; repeats: number; max: number}): Promise<PassCostReport> {
  const pair = await loadModelPair({targetPath: options.model, threads: options.threads, gpu: options.gpu, contextSize: options.context + options.max + 64});
  try {
    const {model, sequence} = pair.target;
    const filler = model.tokenize("for (let i = 0; i < items.length; i++) total += items[i].price * items[i].count;\n", false);
    await sequence.controlledEvaluate(Array.from({length: options.context}, (_, i) => filler[i % filler.length]!));
    const sizes = Array.from({length: options.max}, (_, i) => i + 1);
    const timings = await timeTargetPasses(sequence, {sizes, repeats: options.repeats, tokens: filler, warmUp: 2});
    const ms = completeCurve(passCostTable(timings).targetMs, options.max);
    return {
      model: options.model, device: pair.llama.gpu === false ? "cpu" : pair.llama.gpu, threads: options.threads,
      contextLength: timings.contextLength, repeats: options.repeats, ms, ratio: ms.map(x => x / ms[0]!)
    };
  } finally {
    await disposeModel(pair.target);
  }
}

/** The draft's single-token pass, map included, at a context of `context` tokens: the median of `repeats`. */
export async function measureDraftPass(options: {model: string; threads: number; gpu: GpuChoice; context: number; repeats: number}): Promise<number> {
  const pair = await loadModelPair({targetPath: options.model, threads: options.threads, gpu: options.gpu, contextSize: options.context + 64});
  try {
    const {model, sequence} = pair.target;
    const filler = model.tokenize("for (let i = 0; i < items.length; i++) total += items[i].price * items[i].count;\n", false);
    await sequence.controlledEvaluate(Array.from({length: options.context}, (_, i) => filler[i % filler.length]!));
    await timeDraftPasses(sequence, filler, 2, ENTROPY_TOP_K); // warm-up
    return median(await timeDraftPasses(sequence, filler, options.repeats, ENTROPY_TOP_K));
  } finally {
    await disposeModel(pair.target);
  }
}

const ENTROPY_TOP_K = GENERATE_DEFAULTS.entropyTopK;
/**
 * The decision after a draft pass (entropy, argmax, the cost-aware policy): 0.011–0.013 ms whatever
 * the vocabulary (npm run bookkeeping, 2026-12-06, 1 CPU thread of a 2-core AMD EPYC). The map is
 * in the timed draft pass already.
 */
const DECISION_MS = 0.012;

/**
 * A cost profile of the machine at hand from passcost's measurement: C_t(n)/C_t(1) (made
 * non-decreasing, as a wider pass never costs less and noise must not say otherwise) and C_d/C_t(1).
 */
export function measuredProfile(name: string, report: PassCostReport, draft: {model: string; ms: number}): ProfileFile {
  const ratios: number[] = [];
  for (const r of report.ratio) ratios.push(Math.max(r, ratios.at(-1) ?? 1));
  const profile: ProfileFile = {
    name,
    describes: `${report.model} verified with ${draft.model} drafting, measured by passcost on ${report.device}, ${report.threads} thread(s)`,
    targetTokenMs: report.ms[0]!,
    target: ratios,
    draft: draft.ms / report.ms[0]!,
    bookkeepingMs: DECISION_MS,
    lookupMs: 0,
    derivation: {measured: new Date().toISOString(), contextLength: report.contextLength, repeats: report.repeats, targetMs: report.ms, draftMs: draft.ms,
      bookkeeping: "the decision after a draft pass (npm run bookkeeping); the top-40 map is inside the timed draft pass"}
  };
  validateCostProfile(profile, name);
  return profile;
}

export function passCostTableText(report: PassCostReport): string {
  const lines = [`${report.model}: ${report.device}, ${report.threads} thread(s), context ${report.contextLength}, median of ${report.repeats}`,
    "", " n   ms/pass   C(n)/C(1)   per token"];
  report.ms.forEach((ms, i) => lines.push(`${String(i + 1).padStart(2)}  ${ms.toFixed(2).padStart(8)}  ${report.ratio[i]!.toFixed(2).padStart(10)}  ${(report.ratio[i]! / (i + 1)).toFixed(2).padStart(10)}`));
  return lines.join("\n");
}

export interface LoadCalibrationReading {
  /** C_t(n)/C_t(1) for n = 1..17, as the cost model starts from it. */
  ratio: number[];
  targetTokenMs: number;
  calibrationMs: number;
}

/** Loads the model `loads` times, one after the other, and keeps what each load-time calibration read. */
export async function loadCalibrationReadings(options: {model: string; threads: number; gpu: GpuChoice; loads: number}): Promise<LoadCalibrationReading[]> {
  const readings: LoadCalibrationReading[] = [];
  for (let i = 0; i < options.loads; i++) {
    const engine = await DraftstopEngine.load({targetPath: options.model, threads: options.threads, gpu: options.gpu});
    try {
      const {greedyCosts, calibrationMs} = engine.calibrationSnapshot("greedy");
      readings.push({ratio: greedyCosts.target, targetTokenMs: greedyCosts.targetTokenMs, calibrationMs});
    } finally {
      await engine.dispose();
    }
  }
  return readings;
}

export function loadCalibrationText(readings: readonly LoadCalibrationReading[]): string {
  return ["", "load-time calibrations, one after the other:", " load   C(2)/C(1)  C(3)/C(1)  C(5)/C(1)  C(1) ms  took ms",
    ...readings.map((r, i) => `${String(i + 1).padStart(5)}  ${[1, 2, 4].map(n => r.ratio[n]!.toFixed(2).padStart(9)).join("  ")}  ${r.targetTokenMs.toFixed(2).padStart(7)}  ${r.calibrationMs.toFixed(0).padStart(7)}`)
  ].join("\n");
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    model: {type: "string"}, threads: {type: "string"}, gpu: {type: "string"}, context: {type: "string"},
    repeats: {type: "string"}, max: {type: "string"}, "load-calibrations": {type: "string"}, json: {type: "boolean", default: false}, help: {type: "boolean", default: false},
    draft: {type: "string"}, profile: {type: "string"}
  }});
  if (values.help) return console.log(USAGE);
  if (!values.model) throw new Error(`--model is required\n${USAGE}`);
  const gpu = (values.gpu ?? "off") === "off" ? false : values.gpu as GpuChoice;
  if (values.profile && !values.draft) throw new Error("--profile needs --draft: a profile states the draft's cost too");
  if (values.profile && values.max !== undefined && Number(values.max) !== PROFILE_PASS_TOKENS)
    throw new Error(`--profile states C_t(n) for n = 1..${PROFILE_PASS_TOKENS}: leave --max at ${PROFILE_PASS_TOKENS}`);
  const report = await measurePassCost({
    model: values.model, threads: integerOption("threads", values.threads, 1, 1), gpu, context: integerOption("context", values.context, 300, 1),
    repeats: integerOption("repeats", values.repeats, 9, 1), max: integerOption("max", values.max, 17, 2)
  });
  const loads = integerOption("load-calibrations", values["load-calibrations"], 0, 0);
  const loadCalibrations = loads > 0 ? await loadCalibrationReadings({model: values.model, threads: report.threads, gpu, loads}) : undefined;
  const draftMs = values.draft ? await measureDraftPass({model: values.draft, threads: report.threads, gpu, context: report.contextLength, repeats: report.repeats}) : undefined;
  console.log(values.json ? JSON.stringify({...report, ...(draftMs === undefined ? {} : {draftMs}), ...(loadCalibrations ? {loadCalibrations} : {})}, null, 2)
    : passCostTableText(report) + (draftMs === undefined ? "" : `\ndraft pass (top-40 map): ${draftMs.toFixed(2)} ms, C_d/C_t(1) ${(draftMs / report.ms[0]!).toFixed(3)}`) +
      (loadCalibrations ? loadCalibrationText(loadCalibrations) : ""));
  if (values.profile && draftMs !== undefined) {
    const name = values.profile.replace(/^.*\//, "").replace(/\.json$/, "");
    writeFileSync(values.profile, JSON.stringify(measuredProfile(name, report, {model: values.draft!, ms: draftMs}), null, 2) + "\n");
    console.error(`wrote the cost profile ${values.profile}`);
  }
}

if (require.main === module) main().catch(error => {
  console.error(`passcost: ${(error as Error).message}`);
  process.exitCode = 1;
});
