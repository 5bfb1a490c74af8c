// A column of the benchmark's line-up, as the runner sees it: what it is called in tables, plots
// and JSON, what it needs, and how it runs one task. The runner (runner.ts) knows only the columns
// it is handed. The product's columns are Draftstop's policies (policyColumn.ts), put together by
// lineup.ts; the lab adds the hindsight oracles (match and optimum), node-llama-cpp's own draft predictor and llama.cpp's
// speculative example (src/lab/bench/).
import type {DraftstopEngine, DrafterSetting, LookupChoice, RoundRecord, StatsTotals} from "../engine";
import type {Token} from "../engine/nlc";
import type {ProfileClock} from "../engine/drafting/passClock";
import type {BenchTask} from "./tasks";

/**
 * A column's parameters as they are printed and written to JSON (`static(k=4)`, PolicyRun.params):
 * a number where the option is a number, a boolean where it is a boolean.
 */
export type BenchParams = Readonly<Record<string, number | boolean>>;

/** The sampling of one completion, the same for every column of a task. */
export interface BenchSampling {
  maxTokens: number;
  /** Stop at the model's end-of-middle token (BenchOptions.stopAtEndOfMiddle). */
  stopOnEog: boolean;
  temperature: number;
  topK: number;
  topP: number;
  /** Per task and repeat, so every column of a task draws the same random numbers. */
  seed: number;
}

/** One task as every column of it runs it: the same prompt, sampling and seed. */
export interface TaskRun {
  task: BenchTask;
  /** The FIM prompt's tokens (DraftstopEngine.infillPrompt). */
  prompt: readonly Token[];
  /** Where the output continues the prompt (FimPrompt.continuesAt), for lookup drafts. */
  continuesAt: number;
  sampling: BenchSampling;
  /** 0 for the first repeat; −1 for a warm-up task (BenchOptions.warmUp), which is not counted. */
  repeat: number;
  /** The cost profile every pass is charged from (BenchOptions.clock); absent: the wall clock. */
  clock?: ProfileClock;
}

/**
 * What a column's run of one task gives the runner: the rounds of a generation by the engine, which
 * it tallies and reads for the entropy bins, draft lengths and λ; or, for a run outside the engine
 * (node-llama-cpp's evaluate(), another process), totals alone.
 */
export type ColumnRun =
  | {rounds: readonly RoundRecord[]}
  | {totals: Partial<StatsTotals>};

/** A column opened on one engine for one benchmark run: its state lives here, not in the column. */
export interface ColumnRunner {
  /** A pass over the tasks begins (each temperature and repeat): state kept across tasks (a policy's λ) starts afresh. */
  beginPass?(): void;
  /**
   * Before a task's columns run, for every column in line-up order, outside the rotation and any
   * column's timing: the oracles decode the target's own continuation here.
   */
  prepare?(task: TaskRun): Promise<void>;
  run(task: TaskRun): Promise<ColumnRun>;
  /** After the last task, also when the run fails or is cancelled. */
  dispose?(): Promise<void>;
}

export interface BenchColumn {
  /** The column's name in tables, plots and JSON (PolicyRun.label): `static(k=4)`, `lookup(vote)`, `matchOracle(maxDraft=16)`. */
  readonly label: string;
  /** PolicyRun.policy: the policy's name, or the peer's ("matchOracle", "optimum", "nlcDraftPredictor", "llamaCppSpeculative"). */
  readonly policy: string;
  readonly params: BenchParams;
  /** Where drafts come from (PolicyRun.drafter); absent for target-only and the peers. */
  readonly drafter?: DrafterSetting;
  readonly lookupChoice?: LookupChoice;
  /** Whether the column needs a draft model: the runner refuses to start without one when some column does. */
  readonly needsDraftModel: boolean;
  /** Whether the column runs the engine's rounds, so k̄, tokens per round and passes per token mean something (false: a peer). */
  readonly countsRounds: boolean;
  /** The target-only column every speed-up is measured against (the first one, where there are several). */
  readonly baseline?: boolean;
  /** Its rounds' λ on the first repeat go to BenchResult.lambdaTraces: the line-up's own AdaEDL. */
  readonly tracesLambda?: boolean;
  /**
   * Opens the column on `engine` for one runBenchmark call. `scope` names what it learns in the
   * engine (Experiment.learningScope): unique in the line-up, its label unless two
   * columns share one.
   */
  open(engine: DraftstopEngine, scope: string): ColumnRunner;
}

/** `name(k=v,…)`, or the name alone without parameters: how every column's label starts. */
export function paramsLabel(name: string, params: BenchParams): string {
  const list = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",");
  return list ? `${name}(${list})` : name;
}
