// Runs every column of a line-up over the same tasks, models and settings, interleaved so that
// drift of the machine's speed cancels: within each (temperature, repeat) the tasks come in order
// and, for each task, every column runs once, in an order that rotates from task to task.
// Timing counts decoding only (the prompt's evaluation is the same work for every column, and
// with prefix reuse it would favour whichever column ran second on a task). Every figure is reported
// for the mix of all tasks and for each set of tasks alone (FIM, editing; tasks.ts), each against
// target-only decoding of the same tasks.
//
// The runner knows only the columns it is handed (column.ts): what each is called, what it needs,
// and how it runs a task. The product's line-up is lineup.ts's; the lab adds its peers to it.
import type {DraftstopEngine, DrafterSetting, LookupChoice} from "../engine";
import type {CostRatios} from "../engine/drafting/costModel";
import type {CostProfile, ProfileClock} from "../engine/drafting/passClock";
import {DraftLengthCounts, DraftLengthHistogram} from "../engine/stats/draftLengthHistogram";
import {AcceptanceBin, EntropyAcceptance} from "../engine/stats/entropyBins";
import {
  acceptanceRate, draftPassesPerToken, lookupShare, meanDraftLength, measuredSpeedup, targetPassesPerToken, tokensPerRound, tokensPerSecond
} from "../engine/stats/figures";
import {median} from "../engine/stats/median";
import {addRound, addTotals, emptyTotals, StatsTotals, sumTotals} from "../engine/stats/roundRecord";
import type {BenchColumn, BenchParams, ColumnRunner, TaskRun} from "./column";
import {BenchSetupError} from "./errors";
import {BenchTask, TASK_SETS, TaskSet, taskSet} from "./tasks";

export interface BenchOptions {
  /** Run in the order given (tasks.ts interleave() mixes the sets). */
  tasks: readonly BenchTask[];
  /**
   * Tasks every column runs first at each temperature, in its own learning scope, and nothing of
   * them counted: a column then starts as a window that has completed before does, with its
   * acceptance map, costs and gains learned, instead of from nothing. Default none.
   */
  warmUp?: readonly BenchTask[];
  /**
   * The line-up, in the order the tables show it: lineup.ts's productColumns() for the product's
   * (without the draft model's columns when the engine has none), src/lab/bench/lineup.ts's for the lab's.
   */
  columns: readonly BenchColumn[];
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
  /**
   * Charge every pass from a cost profile (the engine's Experiment.clock) instead of timing it:
   * the tables then depend on what was drafted and accepted alone. Default: the wall clock.
   */
  clock?: ProfileClock;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, what: string): void;
}

/** The tasks a run's figures are over: all of them ("mix") or one set. */
export type RunSet = "mix" | TaskSet;

export interface PolicyRun {
  /** BenchColumn.policy, .params and .label. */
  policy: string;
  params: BenchParams;
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
  /** Where drafts came from (BenchColumn.drafter); absent for target-only and the peers. */
  drafter?: DrafterSetting;
  lookupChoice?: LookupChoice;
  /** Share of accepted drafts that lookup proposed (figures.ts lookupShare); NaN for columns without lookup drafting. */
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
  /** One run per column and temperature over all tasks (set "mix"): what the summaries and plots read. */
  runs: PolicyRun[];
  /** The same per set of tasks present, each against target-only on that set alone: set by set, then as runs. */
  setRuns: PolicyRun[];
  entropyBins: AcceptanceBin[];
  /** Rounds by draft length, per column (by label) and temperature, for the columns that run the engine's rounds. */
  draftLengths: Array<DraftLengthCounts & {temperature: number}>;
  /** AdaEDL's λ after each round, in order, per temperature (first repeat). */
  lambdaTraces: Array<{temperature: number; lambda: number[]}>;
  settings: {tasks: number; repeats: number; temperatures: number[]; maxTokens: number; stopAtEndOfMiddle: boolean; topK: number; topP: number; seed: number;
    /** Tasks per set. */
    sets: Record<TaskSet, number>;
    /** "wall", or the cost profile every pass was charged from (absent in results written before the clock). */
    clock?: "wall" | CostProfile};
  /** The cost model at load and after the run (refined by every round), and how long calibration took. */
  costs: {atLoad: {greedy: CostRatios}; afterRun: {greedy: CostRatios; sampled: CostRatios}; calibrationMs: number};
}

type Tally = StatsTotals;

/** Where a tally belongs: a column (the object, not its label), a temperature and a set of tasks. */
interface TallyKey {
  column: BenchColumn;
  temperature: number;
  set: TaskSet;
}

/** Tallies, one per repeat, by TallyKey, in nested maps: no key is a string to be parsed back. */
class Tallies {
  private readonly byColumn = new Map<BenchColumn, Map<number, Map<TaskSet, Tally[]>>>();

  /** The key's tallies by repeat, held here (an empty list on first use). */
  at({column, temperature, set}: TallyKey): Tally[] {
    const byTemperature = getOrSet(this.byColumn, column, () => new Map<number, Map<TaskSet, Tally[]>>());
    return getOrSet(getOrSet(byTemperature, temperature, () => new Map<TaskSet, Tally[]>()), set, () => []);
  }

  /** The key's tallies by repeat; undefined where nothing ran (or for no column). */
  get({column, temperature, set}: {column: BenchColumn | undefined; temperature: number; set: TaskSet}): readonly Tally[] | undefined {
    return column && this.byColumn.get(column)?.get(temperature)?.get(set);
  }
}

function getOrSet<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, value = create());
  return value;
}

export async function runBenchmark(engine: DraftstopEngine, options: BenchOptions): Promise<BenchResult> {
  const columns = options.columns;
  const temperatures = options.temperatures ?? [0, 0.7, 1, 1.5];
  const repeats = options.repeats ?? 3;
  const maxTokens = options.maxTokens ?? 48;
  const stopOnEog = options.stopAtEndOfMiddle ?? false;
  const topK = options.topK ?? 40;
  const topP = options.topP ?? 0.95;
  const seed = options.seed ?? 1;
  const atLoad = engine.calibrationSnapshot("greedy");
  if (new Set(columns).size < columns.length)
    throw new BenchSetupError("a column appears twice in the line-up: make a second one (two columns may share a label, not an object)");
  const drafting = columns.filter(c => c.needsDraftModel);
  if (!engine.hasDraft && drafting.length > 0)
    throw new BenchSetupError(`the columns ${drafting.map(c => c.label).join(", ")} draft with the draft model, and none is loaded: ` +
      "load a draft model too, or run only target-only and lookup columns (drafter \"lookup\")");
  const outside = columns.filter(c => !c.countsRounds);
  if (options.clock && outside.length > 0)
    throw new BenchSetupError(`the columns ${outside.map(c => c.label).join(", ")} run outside the engine's rounds, so a cost profile cannot charge them: ` +
      "run them with the wall clock, or leave them out of a profile run");
  const setSizes = Object.fromEntries(TASK_SETS.map(set => [set, options.tasks.filter(t => taskSet(t) === set).length])) as Record<TaskSet, number>;
  const sets = TASK_SETS.filter(set => setSizes[set] > 0);
  const baseline = columns.find(c => c.baseline);
  const scopes = learningScopes(columns);

  const tallies = new Tallies();
  const bins = new Map<number, EntropyAcceptance>();
  // By column and temperature; `lengthsInOrder` keeps the order they first ran in, the order of the result.
  const draftLengths = new Map<BenchColumn, Map<number, DraftLengthHistogram>>();
  const lengthsInOrder: Array<{column: BenchColumn; temperature: number; lengths: DraftLengthHistogram}> = [];
  const lambdaTraces = new Map<number, number[]>();
  const total = temperatures.length * repeats * options.tasks.length * columns.length;
  let done = 0;

  const runners: ColumnRunner[] = [];
  const taskRun = (task: BenchTask, repeat: number, temperature: number, taskSeed: number): TaskRun => {
    const infill = engine.infillPrompt(task, maxTokens);
    return {task, prompt: infill.tokens, continuesAt: infill.continuesAt, repeat, ...(options.clock ? {clock: options.clock} : {}),
      sampling: {maxTokens, stopOnEog, temperature, topK, topP, seed: taskSeed}};
  };
  try {
    for (const [index, column] of columns.entries()) runners.push(column.open(engine, scopes[index]!));
    for (const temperature of temperatures) {
      const warmUp = options.warmUp ?? [];
      if (warmUp.length > 0) for (const runner of runners) runner.beginPass?.();
      for (const [taskIndex, task] of warmUp.entries()) {
        const run = taskRun(task, -1, temperature, seed + 15485863 + 104729 * taskIndex);
        for (const runner of runners) {
          if (options.signal?.aborted) throw new Error("benchmark cancelled");
          await runner.prepare?.(run);
          await runner.run(run);
        }
      }
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const runner of runners) runner.beginPass?.();
        for (const [taskIndex, task] of options.tasks.entries()) {
          const run = taskRun(task, repeat, temperature, seed + 7919 * repeat + 104729 * taskIndex);
          for (const runner of runners) await runner.prepare?.(run);
          const offset = (repeat * options.tasks.length + taskIndex) % columns.length;
          for (let i = 0; i < columns.length; i++) {
            if (options.signal?.aborted) throw new Error("benchmark cancelled");
            const index = (offset + i) % columns.length;
            const column = columns[index]!;
            options.onProgress?.(done, total, `${column.label} at T=${temperature}, repeat ${repeat + 1}, ${task.id}`);
            const tally = (tallies.at({column, temperature, set: taskSet(task)})[repeat] ??= emptyTotals());
            const result = await runners[index]!.run(run);
            if ("totals" in result) {
              addTotals(tally, result.totals);
            } else {
              const acceptance = getOrSet(bins, temperature, () => new EntropyAcceptance());
              const lengths = getOrSet(getOrSet(draftLengths, column, () => new Map<number, DraftLengthHistogram>()), temperature, () => {
                const created = new DraftLengthHistogram();
                lengthsInOrder.push({column, temperature, lengths: created});
                return created;
              });
              for (const round of result.rounds) {
                addRound(tally, round);
                acceptance.add(round);
                lengths.add(round);
              }
              if (column.tracesLambda && repeat === 0)
                getOrSet(lambdaTraces, temperature, () => []).push(...result.rounds.map(r => r.lambda ?? NaN));
            }
            done++;
          }
        }
      }
    }
  } finally {
    for (const runner of runners) await runner.dispose?.();
    engine.forgetLearningScopes(scopes);
  }
  options.onProgress?.(done, total, "done");

  // A set's tallies, per repeat; the mix adds the sets' tallies of each repeat.
  const perRepeat = (column: BenchColumn | undefined, temperature: number, set: RunSet): readonly Tally[] => {
    if (set !== "mix") return tallies.get({column, temperature, set}) ?? [];
    return Array.from({length: repeats}, (_, r) => sumTotals(sets.map(s => tallies.get({column, temperature, set: s})?.[r] ?? emptyTotals())));
  };
  const runsOf = (set: RunSet) => temperatures.flatMap(temperature => columns.map(column =>
    summarizeRuns(column, temperature, set, set === "mix" ? options.tasks.length : setSizes[set],
      perRepeat(column, temperature, set), perRepeat(baseline, temperature, set))));
  return {
    runs: runsOf("mix"),
    setRuns: sets.flatMap(runsOf),
    entropyBins: [...bins].flatMap(([temperature, acceptance]) => acceptance.bins().map(bin => ({temperature, ...bin}))),
    draftLengths: lengthsInOrder.map(({column, temperature, lengths}) => ({label: column.label, temperature, counts: lengths.counts()})),
    lambdaTraces: [...lambdaTraces].map(([temperature, lambda]) => ({temperature, lambda})),
    settings: {tasks: options.tasks.length, repeats, temperatures: [...temperatures], maxTokens, stopAtEndOfMiddle: stopOnEog, topK, topP, seed, sets: setSizes,
      clock: options.clock ? options.clock.profile : "wall"},
    costs: (() => {
      // Under a profile the policies read the profile's costs, and this machine's do not matter.
      if (options.clock) {
        const charged = options.clock.costModel().ratios();
        return {atLoad: {greedy: charged}, afterRun: {greedy: charged, sampled: charged}, calibrationMs: 0};
      }
      const after = engine.calibrationSnapshot("greedy");
      return {atLoad: {greedy: atLoad.greedyCosts}, afterRun: {greedy: after.greedyCosts, sampled: after.sampledCosts}, calibrationMs: atLoad.calibrationMs};
    })()
  };
}

/** Benchmark runs in this process so far: each run's learning scopes are its own. */
let runsStarted = 0;

/**
 * What each column learns in the engine is kept apart under its label (Experiment.learningScope),
 * and under `label#2`, `label#3` for later columns of the same label, so that no column learns from
 * another's rounds; and under the run's number, so that a second run on the same engine starts from
 * nothing as the first did (and prints the same tables under a cost profile).
 */
function learningScopes(columns: readonly BenchColumn[]): string[] {
  const run = ++runsStarted;
  const seen = new Map<string, number>();
  return columns.map(({label}) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return `run ${run}: ${n === 1 ? label : `${label}#${n}`}`;
  });
}

function summarizeRuns(column: BenchColumn, temperature: number, set: RunSet, tasks: number,
  perRepeat: readonly Tally[], baseline: readonly Tally[] | undefined): PolicyRun {
  // A repeat in which the column emitted nothing (the optimum at T > 0) has no speed, not a speed of 0.
  const speedups = perRepeat.map((t, r) => (t.tokens > 0 ? measuredSpeedup(t, baseline?.[r]) : NaN));
  const sum = sumTotals(perRepeat);
  const finite = speedups.filter(Number.isFinite);
  const perRound = (figure: (t: Tally) => number) => (column.countsRounds ? figure(sum) : NaN);
  const {drafter, lookupChoice} = column;
  return {
    policy: column.policy,
    params: column.params,
    label: column.label,
    temperature,
    set,
    tasks,
    ...(drafter ? {drafter} : {}),
    ...(lookupChoice ? {lookupChoice} : {}),
    lookupShare: drafter === undefined || drafter === "model" ? NaN : lookupShare(sum),
    tokensPerSecond: median(perRepeat.filter(t => t.tokens > 0).map(tokensPerSecond)),
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
