// Runs every draft-length policy over the same tasks, models and settings, interleaved so that
// drift of the machine's speed cancels: within each (temperature, repeat) the tasks come in order
// and, for each task, every policy runs once, in an order that rotates from task to task.
// Timing counts decoding only (the prompt's evaluation is the same work for every policy, and
// with prefix reuse it would favour whichever policy ran second on a task).
import type {DraftstopEngine} from "../engine";
import type {CostRatios} from "../engine/calibration/costModel";
import type {Token} from "../engine/nlc";
import {createPolicy, DraftPolicy, PolicyName} from "../engine/policies";
import {
  acceptanceRate, AcceptanceBin, addRound, addTotals, DraftLengthCounts, DraftLengthHistogram, draftPassesPerToken, emptyTotals,
  EntropyAcceptance, meanDraftLength, measuredSpeedup, median, StatsTotals, sumTotals, targetPassesPerToken, tokensPerRound, tokensPerSecond
} from "../engine/stats";
import {NodeLlamaCppDraftPeer} from "./nlcPredictor";
import {LLAMA_CPP_DEFAULTS, runLlamaCppPeer} from "./llamaCppRun";
import {followContinuation, OraclePolicy} from "./oracle";
import type {BenchTask} from "./tasks";

export type BenchPolicy =
  | {name: PolicyName; params: Record<string, number>}
  | {name: "oracle"; params: {maxDraft: number}}
  | {name: "nlcDraftPredictor"; params: Record<string, never>}
  | {name: "llamaCppSpeculative"; params: {draftMax: number; draftMin: number; pMin: number}}
  | {name: "llamaCppTargetOnly"; params: Record<string, never>};

/**
 * The line-up: target-only, static K, max-confidence, heuristic, node-llama-cpp's predictor, the
 * paper's AdaEDL, cost-aware AdaEDL (the default), the oracle.
 */
export function defaultPolicies(options: {llamaCpp?: boolean} = {}): BenchPolicy[] {
  const llamaCpp: BenchPolicy[] = options.llamaCpp
    ? [{name: "llamaCppTargetOnly", params: {}}, {name: "llamaCppSpeculative", params: {...LLAMA_CPP_DEFAULTS}}] : [];
  return [
    {name: "off", params: {}},
    ...[1, 2, 3, 4, 6, 8].map(k => ({name: "static" as const, params: {k}})),
    {name: "maxConfidence", params: {pMin: 0.6}},
    {name: "maxConfidence", params: {pMin: 0.9}},
    {name: "heuristic", params: {}},
    {name: "nlcDraftPredictor", params: {}},
    {name: "adaedl", params: {}},
    {name: "costAware", params: {}},
    ...llamaCpp,
    {name: "oracle", params: {maxDraft: 16}}
  ];
}

export function policyLabel(policy: BenchPolicy): string {
  const params = Object.entries(policy.params).map(([k, v]) => `${k}=${v}`).join(",");
  return params ? `${policy.name}(${params})` : policy.name;
}

export interface BenchOptions {
  tasks: readonly BenchTask[];
  policies?: readonly BenchPolicy[];
  /** Default [0, 0.7, 1, 1.5]. */
  temperatures?: readonly number[];
  /** Default 3. */
  repeats?: number;
  /** Tokens per completion. Default 48. */
  maxTokens?: number;
  /**
   * Stop a completion at the model's end-of-middle token. Default false: every completion runs
   * exactly maxTokens tokens (past the end of the middle), so every policy decodes the same amount
   * of text and a model that ends most middles at once still gets measured.
   */
  stopAtEndOfMiddle?: boolean;
  /** Sampling settings at T > 0, the extension's defaults: top-k 40, top-p 0.95. */
  topK?: number;
  topP?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, what: string): void;
}

export interface PolicyRun {
  policy: string;
  params: Record<string, number>;
  label: string;
  temperature: number;
  /** Medians over repeats. */
  tokensPerSecond: number;
  speedup: number;
  acceptanceRate: number;
  meanDraftLength: number;
  tokensPerRound: number;
  targetPassesPerToken: number;
  draftPassesPerToken: number;
  /** Shares of decoding time. */
  draftingMs: number;
  verifyingMs: number;
  entropyMs: number;
  /** Range of the speed-up over repeats. */
  spread: {min: number; max: number};
  repeats: number;
  tokens: number;
}

export interface BenchResult {
  runs: PolicyRun[];
  entropyBins: AcceptanceBin[];
  /** Rounds by draft length, per policy label and temperature. */
  draftLengths: Array<DraftLengthCounts & {temperature: number}>;
  /** AdaEDL's λ after each round, in order, per temperature (first repeat). */
  lambdaTraces: Array<{temperature: number; lambda: number[]}>;
  settings: {tasks: number; repeats: number; temperatures: number[]; maxTokens: number; stopAtEndOfMiddle: boolean; topK: number; topP: number; seed: number};
  /** The cost model at load and after the run (refined by every round), and how long calibration took. */
  costs: {atLoad: {greedy: CostRatios}; afterRun: {greedy: CostRatios; sampled: CostRatios}; calibrationMs: number};
}

type Tally = StatsTotals;

export async function runBenchmark(engine: DraftstopEngine, options: BenchOptions): Promise<BenchResult> {
  const policies = options.policies ?? defaultPolicies();
  const temperatures = options.temperatures ?? [0, 0.7, 1, 1.5];
  const repeats = options.repeats ?? 3;
  const maxTokens = options.maxTokens ?? 48;
  const stopOnEog = options.stopAtEndOfMiddle ?? false;
  const topK = options.topK ?? 40;
  const topP = options.topP ?? 0.95;
  const seed = options.seed ?? 1;
  const labels = policies.map(policyLabel);
  const atLoad = engine.calibrationSnapshot("greedy");
  if (!engine.hasDraft && policies.some(p => p.name !== "off"))
    throw new Error("the benchmark compares draft policies: load a draft model too");

  const peer = policies.some(p => p.name === "nlcDraftPredictor") ? new NodeLlamaCppDraftPeer(engine) : undefined;
  const tallies = new Map<string, Tally[]>(); // `${label}@${temperature}` → one tally per repeat
  const bins = new Map<number, EntropyAcceptance>();
  const draftLengths = new Map<string, DraftLengthHistogram>();
  const lambdaTraces = new Map<number, number[]>();
  const total = temperatures.length * repeats * options.tasks.length * policies.length;
  let done = 0;

  try {
    for (const temperature of temperatures) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const policyState = new Map<string, DraftPolicy>();
        for (const [taskIndex, task] of options.tasks.entries()) {
          const prompt = engine.infillPrompt(task, maxTokens).tokens;
          const taskSeed = seed + 7919 * repeat + 104729 * taskIndex;
          const generate = {maxTokens, stopOnEog, temperature, topK, topP, seed: taskSeed};
          const continuation = policies.some(p => p.name === "oracle")
            ? await referenceContinuation(engine, prompt, generate) : [];
          const offset = (repeat * options.tasks.length + taskIndex) % policies.length;
          for (let i = 0; i < policies.length; i++) {
            if (options.signal?.aborted) throw new Error("benchmark cancelled");
            const index = (offset + i) % policies.length;
            const policy = policies[index]!;
            const label = labels[index]!;
            options.onProgress?.(done, total, `${label} at T=${temperature}, repeat ${repeat + 1}, ${task.id}`);
            const key = `${label}@${temperature}`;
            const perRepeat = tallies.get(key) ?? [];
            tallies.set(key, perRepeat);
            const tally = (perRepeat[repeat] ??= emptyTotals());

            if (policy.name === "nlcDraftPredictor") {
              addTotals(tally, await peer!.run(prompt, generate));
            } else if (policy.name === "llamaCppSpeculative" || policy.name === "llamaCppTargetOnly") {
              addTotals(tally, await runLlamaCppPeer(engine, prompt, policy.name === "llamaCppTargetOnly" ? "targetOnly" : "speculative", generate,
                policy.name === "llamaCppSpeculative" ? policy.params : undefined));
            } else {
              const policyObject = policy.name === "oracle"
                ? new OraclePolicy(continuation, prompt.length, policy.params.maxDraft)
                : policyState.get(label) ?? createPolicy({name: policy.name, ...policy.params} as never);
              if (policy.name !== "oracle") policyState.set(label, policyObject);
              const report = await engine.generate(prompt, generate, {
                policy: policyObject,
                sampledAcceptance: policy.name === "oracle" && temperature > 0 ? followContinuation(continuation, prompt.length) : undefined,
                recordStats: false
              });
              const acceptance = bins.get(temperature) ?? new EntropyAcceptance();
              bins.set(temperature, acceptance);
              const lengths = draftLengths.get(`${label}@${temperature}`) ?? new DraftLengthHistogram();
              draftLengths.set(`${label}@${temperature}`, lengths);
              for (const round of report.rounds) {
                addRound(tally, round);
                acceptance.add(round);
                lengths.add(round);
              }
              if (label === "adaedl" && repeat === 0) { // the default AdaEDL; variants added with --policy have labels of their own
                const trace = lambdaTraces.get(temperature) ?? [];
                trace.push(...report.rounds.map(r => r.lambda ?? NaN));
                lambdaTraces.set(temperature, trace);
              }
            }
            done++;
          }
        }
      }
    }
  } finally {
    await peer?.dispose();
  }
  options.onProgress?.(done, total, "done");

  const runs: PolicyRun[] = [];
  for (const temperature of temperatures) {
    const baseline = tallies.get(`off@${temperature}`);
    for (const [index, policy] of policies.entries())
      runs.push(summarizeRuns(policy, labels[index]!, temperature, tallies.get(`${labels[index]}@${temperature}`) ?? [], baseline));
  }
  return {
    runs,
    entropyBins: [...bins].flatMap(([temperature, acceptance]) => acceptance.bins().map(bin => ({temperature, ...bin}))),
    draftLengths: [...draftLengths].map(([key, lengths]) => {
      const at = key.lastIndexOf("@");
      return {label: key.slice(0, at), temperature: Number(key.slice(at + 1)), counts: lengths.counts()};
    }),
    lambdaTraces: [...lambdaTraces].map(([temperature, lambda]) => ({temperature, lambda})),
    settings: {tasks: options.tasks.length, repeats, temperatures: [...temperatures], maxTokens, stopAtEndOfMiddle: stopOnEog, topK, topP, seed},
    costs: (() => {
      const after = engine.calibrationSnapshot("greedy");
      return {atLoad: {greedy: atLoad.greedyCosts}, afterRun: {greedy: after.greedyCosts, sampled: after.sampledCosts}, calibrationMs: atLoad.calibrationMs};
    })()
  };
}

/** The target's own continuation (target-only, same seed): what the oracle knows in hindsight. */
async function referenceContinuation(engine: DraftstopEngine, prompt: readonly Token[],
  generate: {maxTokens: number; stopOnEog: boolean; temperature: number; topK: number; topP: number; seed: number}): Promise<Token[]> {
  const report = await engine.generate(prompt, generate, {policy: createPolicy({name: "off"}), recordStats: false});
  return report.rounds.flatMap(r => r.tokens);
}

function summarizeRuns(policy: BenchPolicy, label: string, temperature: number, perRepeat: readonly Tally[], baseline: readonly Tally[] | undefined): PolicyRun {
  const speedups = perRepeat.map((t, r) => measuredSpeedup(t, baseline?.[r]));
  const sum = sumTotals(perRepeat);
  const finite = speedups.filter(Number.isFinite);
  // The peers run inside node-llama-cpp's evaluate() or another process: no rounds to count.
  const peer = policy.name === "nlcDraftPredictor" || policy.name === "llamaCppSpeculative" || policy.name === "llamaCppTargetOnly";
  const perRound = (figure: (t: Tally) => number) => (peer ? NaN : figure(sum));
  return {
    policy: policy.name,
    params: policy.params,
    label,
    temperature,
    tokensPerSecond: median(perRepeat.map(tokensPerSecond)),
    speedup: median(finite),
    acceptanceRate: acceptanceRate(sum),
    meanDraftLength: perRound(meanDraftLength),
    tokensPerRound: perRound(tokensPerRound),
    targetPassesPerToken: perRound(targetPassesPerToken),
    draftPassesPerToken: perRound(draftPassesPerToken),
    draftingMs: sum.draftMs,
    verifyingMs: sum.verifyMs,
    entropyMs: sum.entropyMs,
    spread: {min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN},
    repeats: perRepeat.length,
    tokens: sum.tokens
  };
}
