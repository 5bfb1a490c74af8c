// Runs every draft-length policy over the same tasks, models and settings, interleaved so that
// drift of the machine's speed cancels: within each (temperature, repeat) the tasks come in order
// and, for each task, every policy runs once, in an order that rotates from task to task.
// Timing counts decoding only (the prompt's evaluation is the same work for every policy, and
// with prefix reuse it would favour whichever policy ran second on a task). Every figure is reported
// for the mix of all tasks and for each set of tasks alone (FIM, editing; tasks.ts), each against
// target-only decoding of the same tasks.
import type {DraftstopEngine, DrafterSetting, LookupChoice} from "../engine";
import type {CostRatios} from "../engine/drafting/costModel";
import type {Token} from "../engine/nlc";
import {createPolicy, DraftPolicy, PolicyName} from "../engine/drafting/policies";
import {
  acceptanceRate, AcceptanceBin, addRound, addTotals, DraftLengthCounts, DraftLengthHistogram, draftPassesPerToken, emptyTotals,
  EntropyAcceptance, lookupShare, meanDraftLength, measuredSpeedup, median, StatsTotals, sumTotals, targetPassesPerToken, tokensPerRound,
  tokensPerSecond
} from "../engine/stats/stats";
import {BenchSetupError} from "./errors";
import {NodeLlamaCppDraftPeer} from "./nlcPredictor";
import {LLAMA_CPP_DEFAULTS, runLlamaCppPeer} from "./llamaCppRun";
import {followContinuation, OraclePolicy} from "./oracle";
import {BenchTask, TASK_SETS, TaskSet, taskSet} from "./tasks";

/**
 * A column of the line-up. An engine policy's `drafter` says where its drafts come from (the
 * engine's GenerateOptions.drafter); default "model", so that a column measures the draft model
 * unless it says otherwise (the engine's own default would mix in lookup drafts). `lookupChoice`
 * is passed on as it is (engine default "recent").
 */
export type BenchPolicy =
  | {name: PolicyName; params: Record<string, number>; drafter?: DrafterSetting; lookupChoice?: LookupChoice}
  | {name: "oracle"; params: {maxDraft: number}}
  | {name: "nlcDraftPredictor"; params: Record<string, never>}
  | {name: "llamaCppSpeculative"; params: {draftMax: number; draftMin: number; pMin: number}}
  | {name: "llamaCppTargetOnly"; params: Record<string, never>};

/** The drafter a column runs with when it names none. */
export const BENCH_DRAFTER: DrafterSetting = "model";

/**
 * The line-up: target-only, static K, max-confidence, heuristic, node-llama-cpp's predictor, the
 * paper's AdaEDL, cost-aware AdaEDL (the default), lookup drafting alone (its most recent match,
 * and the match most earlier occurrences vote for), cost-aware AdaEDL with lookup beside the draft
 * model (the extension's default with a draft model), the oracle. `draftModel: false` (a target
 * alone): target-only and the two lookup columns only.
 */
export function defaultPolicies(options: {llamaCpp?: boolean; draftModel?: boolean} = {}): BenchPolicy[] {
  const lookup: BenchPolicy[] = [
    {name: "costAware", params: {}, drafter: "lookup"},
    {name: "costAware", params: {}, drafter: "lookup", lookupChoice: "vote"}
  ];
  if (options.draftModel === false) return [{name: "off", params: {}}, ...lookup];
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
    ...lookup,
    {name: "costAware", params: {}, drafter: "both"},
    ...llamaCpp,
    {name: "oracle", params: {maxDraft: 16}}
  ];
}

/**
 * A column's name in tables, plots and JSON: `static(k=4)`; a lookup column is named for the
 * drafter, with its policy where that is not the default cost-aware one: `lookup`, `lookup(vote)`,
 * `lookup/static(k=4)`; lookup beside the draft model adds `+lookup`: `costAware+lookup`.
 */
export function policyLabel(policy: BenchPolicy): string {
  const params = Object.entries(policy.params).map(([k, v]) => `${k}=${v}`).join(",");
  const base = params ? `${policy.name}(${params})` : policy.name;
  const drafter = drafterOf(policy);
  const choice = "lookupChoice" in policy && policy.lookupChoice === "vote" ? "(vote)" : "";
  if (drafter === "lookup") return `${base === "costAware" ? "lookup" : `lookup/${base}`}${choice}`;
  if (drafter === "both") return `${base}+lookup${choice}`;
  if (drafter === "auto") return `${base}+auto${choice}`;
  return base;
}

/** The drafter a column runs with; undefined for the columns that draft nothing or outside the engine (target-only, the peers). */
export function drafterOf(policy: BenchPolicy): DrafterSetting | undefined {
  if (policy.name === "off" || isPeer(policy)) return undefined;
  if (policy.name === "oracle") return "model";
  return (policy as {drafter?: DrafterSetting}).drafter ?? BENCH_DRAFTER;
}

/** Whether a column needs a draft model: everything but target-only, llama.cpp's target-only and lookup alone. */
export function needsDraftModel(policy: BenchPolicy): boolean {
  return policy.name !== "off" && policy.name !== "llamaCppTargetOnly" && drafterOf(policy) !== "lookup";
}

/** The peers run inside node-llama-cpp's evaluate() or another process: no rounds to count. */
function isPeer(policy: BenchPolicy): boolean {
  return policy.name === "nlcDraftPredictor" || policy.name === "llamaCppSpeculative" || policy.name === "llamaCppTargetOnly";
}

export interface BenchOptions {
  /** Run in the order given (tasks.ts interleave() mixes the sets). */
  tasks: readonly BenchTask[];
  /** Default: defaultPolicies(), without the draft model's columns when the engine has no draft model. */
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

/** The tasks a run's figures are over: all of them ("mix") or one set. */
export type RunSet = "mix" | TaskSet;

export interface PolicyRun {
  policy: string;
  params: Record<string, number>;
  label: string;
  temperature: number;
  /**
   * The fields from here to lookupShare, and decodingMs, are set by runBenchmark on every run; they
   * are optional so that runs written before them (an older bench.json in the stats panel) still
   * fit the type.
   *
   * The tasks these figures are over; absent means "mix".
   */
  set?: RunSet;
  /** How many tasks that set holds. */
  tasks?: number;
  /** Where drafts came from (drafterOf); absent for target-only and the peers. */
  drafter?: DrafterSetting;
  lookupChoice?: LookupChoice;
  /** Share of accepted drafts that lookup proposed (stats.ts lookupShare); NaN for columns without lookup drafting. */
  lookupShare?: number;
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
  /** Bookkeeping: entropy and policy decisions, a lookup's matching. */
  entropyMs: number;
  /** All of decoding (set by runBenchmark; optional like the fields above). */
  decodingMs?: number;
  /** Range of the speed-up over repeats. */
  spread: {min: number; max: number};
  repeats: number;
  tokens: number;
}

export interface BenchResult {
  /** One run per policy and temperature over all tasks (set "mix"): what the summaries and plots read. */
  runs: PolicyRun[];
  /** The same per set of tasks present, each against target-only on that set alone: set by set, then as runs. */
  setRuns: PolicyRun[];
  entropyBins: AcceptanceBin[];
  /** Rounds by draft length, per policy label and temperature. */
  draftLengths: Array<DraftLengthCounts & {temperature: number}>;
  /** AdaEDL's λ after each round, in order, per temperature (first repeat). */
  lambdaTraces: Array<{temperature: number; lambda: number[]}>;
  settings: {tasks: number; repeats: number; temperatures: number[]; maxTokens: number; stopAtEndOfMiddle: boolean; topK: number; topP: number; seed: number;
    /** Tasks per set. */
    sets: Record<TaskSet, number>};
  /** The cost model at load and after the run (refined by every round), and how long calibration took. */
  costs: {atLoad: {greedy: CostRatios}; afterRun: {greedy: CostRatios; sampled: CostRatios}; calibrationMs: number};
}

type Tally = StatsTotals;

export async function runBenchmark(engine: DraftstopEngine, options: BenchOptions): Promise<BenchResult> {
  const policies = options.policies ?? defaultPolicies({draftModel: engine.hasDraft});
  const temperatures = options.temperatures ?? [0, 0.7, 1, 1.5];
  const repeats = options.repeats ?? 3;
  const maxTokens = options.maxTokens ?? 48;
  const stopOnEog = options.stopAtEndOfMiddle ?? false;
  const topK = options.topK ?? 40;
  const topP = options.topP ?? 0.95;
  const seed = options.seed ?? 1;
  const labels = policies.map(policyLabel);
  const atLoad = engine.calibrationSnapshot("greedy");
  const drafting = policies.filter(needsDraftModel);
  if (!engine.hasDraft && drafting.length > 0)
    throw new BenchSetupError(`the columns ${drafting.map(policyLabel).join(", ")} draft with the draft model, and none is loaded: ` +
      "load a draft model too, or run only target-only and lookup columns (drafter \"lookup\")");
  const setSizes = Object.fromEntries(TASK_SETS.map(set => [set, options.tasks.filter(t => taskSet(t) === set).length])) as Record<TaskSet, number>;
  const sets = TASK_SETS.filter(set => setSizes[set] > 0);

  const peer = policies.some(p => p.name === "nlcDraftPredictor") ? new NodeLlamaCppDraftPeer(engine) : undefined;
  const tallies = new Map<string, Tally[]>(); // `${label}@${temperature}@${set}` → one tally per repeat
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
          const infill = engine.infillPrompt(task, maxTokens);
          const prompt = infill.tokens;
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
            const key = `${label}@${temperature}@${taskSet(task)}`;
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
              const drafter = drafterOf(policy);
              const lookupChoice = "lookupChoice" in policy ? policy.lookupChoice : undefined;
              const report = await engine.generate(prompt, {...generate, drafter, lookupChoice}, {
                policy: policyObject,
                sampledAcceptance: policy.name === "oracle" && temperature > 0 ? followContinuation(continuation, prompt.length) : undefined,
                recordStats: false,
                continuesAt: infill.continuesAt,
                learningScope: label
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

  // A set's tallies, per repeat; the mix adds the sets' tallies of each repeat.
  const perRepeat = (label: string, temperature: number, set: RunSet): Tally[] => {
    if (set !== "mix") return tallies.get(`${label}@${temperature}@${set}`) ?? [];
    return Array.from({length: repeats}, (_, r) => sumTotals(sets.map(s => tallies.get(`${label}@${temperature}@${s}`)?.[r] ?? emptyTotals())));
  };
  const runsOf = (set: RunSet) => temperatures.flatMap(temperature => policies.map((policy, index) =>
    summarizeRuns(policy, labels[index]!, temperature, set, set === "mix" ? options.tasks.length : setSizes[set],
      perRepeat(labels[index]!, temperature, set), perRepeat("off", temperature, set))));
  return {
    runs: runsOf("mix"),
    setRuns: sets.flatMap(runsOf),
    entropyBins: [...bins].flatMap(([temperature, acceptance]) => acceptance.bins().map(bin => ({temperature, ...bin}))),
    draftLengths: [...draftLengths].map(([key, lengths]) => {
      const at = key.lastIndexOf("@");
      return {label: key.slice(0, at), temperature: Number(key.slice(at + 1)), counts: lengths.counts()};
    }),
    lambdaTraces: [...lambdaTraces].map(([temperature, lambda]) => ({temperature, lambda})),
    settings: {tasks: options.tasks.length, repeats, temperatures: [...temperatures], maxTokens, stopAtEndOfMiddle: stopOnEog, topK, topP, seed, sets: setSizes},
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

function summarizeRuns(policy: BenchPolicy, label: string, temperature: number, set: RunSet, tasks: number,
  perRepeat: readonly Tally[], baseline: readonly Tally[] | undefined): PolicyRun {
  const speedups = perRepeat.map((t, r) => measuredSpeedup(t, baseline?.[r]));
  const sum = sumTotals(perRepeat);
  const finite = speedups.filter(Number.isFinite);
  const perRound = (figure: (t: Tally) => number) => (isPeer(policy) ? NaN : figure(sum));
  const drafter = drafterOf(policy);
  const lookupChoice = "lookupChoice" in policy ? policy.lookupChoice : undefined;
  return {
    policy: policy.name,
    params: policy.params,
    label,
    temperature,
    set,
    tasks,
    ...(drafter ? {drafter} : {}),
    ...(lookupChoice ? {lookupChoice} : {}),
    lookupShare: drafter === undefined || drafter === "model" ? NaN : lookupShare(sum),
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
    decodingMs: sum.decodeMs,
    spread: {min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN},
    repeats: perRepeat.length,
    tokens: sum.tokens
  };
}
