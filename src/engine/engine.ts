// The engine's public face: load a target (and a draft), generate with speculative decoding under a
// switchable draft-length policy, and report per-round records and session statistics to whoever
// listens. One generation runs at a time: calls wait for the engine's lock in order, and one whose
// signal fires while it waits leaves the queue at once without touching the models.
import {EventEmitter} from "node:events";
import {basename} from "node:path";
import {EngineDisposedError, InvalidOptionError} from "./errors";
import {AbortableLock, isAbortError} from "./lock";
import type {MultiFileFormat} from "./prompt/extraContext/render";
import {buildFimPrompt, FimInput, FimLayout, FimPrompt, FimPromptOptions, hasFimTokens, supportedFimLayouts} from "./prompt/fim";
import {disposeContexts, disposeModel, LoadedModel, LoadedPair, loadModelPair, openContexts} from "./modelPair";
import type {ModelHandle, ModelPool} from "./modelPool";
import type {Token} from "./nlc";
import {GENERATE_DEFAULTS, GenerateOptions, LoadOptions, resolveGenerateOptions, resolveLoadOptions} from "./options";
import {createPolicy, DraftPolicy, PolicySpec} from "./drafting/policies";
import {GenerationResult, Healing, SampledAcceptance, SpeculativeDecoder, truncate} from "./decoding/speculative";
import {healPrompt} from "./prompt/tokenHealing";
import {CalibrationPersistence, CalibrationSnapshot, EngineCalibration} from "./drafting/engineCalibration";
import {readPairCalibration, writeLoadTimeCosts} from "./drafting/calibrationStore";
import {costConditionsKey, LoadTimeCosts, reusableLoadTimeCosts} from "./drafting/loadTimeCosts";
import {passCostTable, timeDraftPasses, timeTargetPasses} from "./decoding/passCost";
import type {CostModel} from "./drafting/costModel";
import type {ProfileClock} from "./drafting/passClock";
import {RollingMedian} from "./drafting/rollingMedian";
import {pairIdentity} from "./drafting/pairIdentity";
import {vocabularyFacts} from "./vocabulary";
import {LookupDrafter} from "./drafting/lookupDrafter";
import type {DrafterSetting} from "./options";
import {draftSources} from "./drafting/drafters";
import {StatsSummary, summarize} from "./stats/figures";
import {addTotals, emptyTotals, RoundRecord, StatsTotals} from "./stats/roundRecord";
import {stepSkew, targetOnlyMs, targetOnlyStepMs} from "./stats/targetOnlyEstimate";

export interface EngineLoadOptions extends LoadOptions {
  /** Draft-length policy; default cost-aware AdaEDL with its defaults. */
  policy?: PolicySpec;
}

/**
 * Where an engine's weights come from. Without it the engine loads its own and frees them on
 * dispose; with a pool it shares the weights of every engine on the same files (modelPool.ts) and
 * opens contexts of its own on them, so that its prompt reuse stays its own.
 */
export interface EnginePlacement {
  pool: ModelPool;
  /** Who holds the weights, in the pool's report and its over-budget message (a window's id). */
  holder: string;
}

export interface ModelInfo {
  path: string;
  name: string;
  sizeBytes: number;
  vocabularySize: number;
  trainContextSize: number;
  fim: boolean;
  fimLayouts: FimLayout[];
}

export interface EngineInfo {
  target: ModelInfo;
  draft?: ModelInfo;
  /** "cuda", "metal", "vulkan" or "cpu". */
  device: string;
  gpuDevices: string[];
  threads: number;
  contextSize: number;
}

export interface GenerationReport extends GenerationResult {
  policy: string;
  /** Single-token target latency used for the speed-up estimate, ms. */
  targetTokenMs: number;
}

/** The text around the cursor, and the FIM layout to put it in (default: the model's first). */
export interface InfillRequest extends FimInput {
  layout?: FimLayout;
  /** Token healing when the prompt is prefix-only (tokenHealing.ts). Default true. */
  heal?: boolean;
}

export interface InfillReport extends GenerationReport {
  /** The prompt the request became: its layout, its length, and what was cut to fit the context. */
  prompt: {layout: FimPrompt["layout"]; tokens: number; droppedTokens: number; healed?: string; extraContext?: ExtraContextReport};
}

/** What a prompt's extra context was and cost: its tokens, and whether the KV cache held them all from before. */
export interface ExtraContextReport {
  tokens: number;
  format: MultiFileFormat;
  paths: string[];
  droppedChunks: number;
  /** Of `tokens`, how many the target evaluated in this prefill (0: all reused). */
  evaluated: number;
}

interface EngineEvents {
  round: [RoundRecord];
  generation: [GenerationReport];
}

/** What a product caller (the model process's completions) may ask of a generation besides its options. */
export interface GenerationRecording {
  /** false: leave the session statistics, latency probes and events alone (a prefetch, a prefill). Default true. */
  recordStats?: boolean;
}

/**
 * A benchmark's or a test's variant of a generation, through experiment() and experimentInfill():
 * a policy object of its own (e.g. the hindsight oracle), an acceptance rule, learning kept apart.
 * The product never runs one.
 */
export interface Experiment extends GenerationRecording {
  policy?: DraftPolicy;
  sampledAcceptance?: SampledAcceptance;
  /**
   * Keep what this generation's policy learns (acceptance maps, speculation's gain) apart under
   * this name, starting from nothing and never saved. A benchmark gives each column its own, so
   * that no column learns from another's rounds.
   */
  learningScope?: string;
  /** Where the output continues a FIM prompt the caller built (FimPrompt.continuesAt), for lookup drafts. Default: the prompt's end. */
  continuesAt?: number;
  /**
   * Charge every pass from a cost profile instead of timing it (drafting/passClock.ts); the
   * policies then read the profile's costs, not this machine's. Default: the wall clock.
   */
  clock?: ProfileClock;
}

/** What generateInfill adds for the round loop: how the prompt was built. */
interface PromptShape {
  /** Token healing: the first generated token is one of `allowed`, and the output starts with `healed`. */
  healing?: Healing;
  /** Where the output continues the prompt (FimPrompt.continuesAt), for lookup drafts. Default: the prompt's end. */
  continuesAt?: number;
}

/** Rounds behind the median of a round's overhead. */
const ROUND_OVERHEAD_WINDOW = 31;
const TARGET_ONLY_STEP_WINDOW = 63;
/** Probe the single-token target latency again after this many generations, or when the context moved by 25 %. */
const PROBE_EVERY_GENERATIONS = 20;
/**
 * The cost model's calibration at load (docs/algorithm.md, "Cost-aware drafting"): after one
 * untimed pass, passes over these token counts at a context of CALIBRATION_CONTEXT tokens, up to
 * calibrationRepeats(n) times each while the time spent stays under CALIBRATION_BUDGET_MS (one
 * round of all sizes always runs; sizes in between are interpolated, and rounds refine every size
 * online).
 */
const CALIBRATION_SIZES = [1, 2, 3, 5, 9, 17];
/**
 * Passes over 1 to 3 tokens decide whether a CPU's speculation can pay, and they are cheap, so they
 * are timed most. With 3 repeats of each, C_t(2)/C_t(1) on the padded target read 1.50 to 1.76 in
 * four calibrations in a row on the 2-core AMD EPYC, where 9 repeats read 1.80 and 1.82 and rounds
 * measured 1.62 to 1.86 (docs/algorithm.md).
 */
const calibrationRepeats = (n: number) => (n <= 3 ? 9 : 3);
const CALIBRATION_BUDGET_MS = 700;
const CALIBRATION_CONTEXT = 128;
const CALIBRATION_DRAFT_PASSES = 6;
/** Context kept free beyond the completion's maxTokens: one round's drafts and its bonus token. */
const GENERATION_HEADROOM = 16 + 2;

export class DraftstopEngine extends EventEmitter<EngineEvents> {
  private readonly decoder: SpeculativeDecoder;
  private totals: StatsTotals = emptyTotals();
  private currentPolicy: DraftPolicy;
  private currentPolicySpec: PolicySpec;
  private readonly lock = new AbortableLock();
  /** One index for the engine's life: it keeps what the prompts share across keystrokes. */
  private readonly lookup = new LookupDrafter();
  private generationsSinceProbe = 0;
  private lastProbeContext: number | undefined;
  /**
   * What a round costs besides its model passes and drafting decisions (the loop, rollbacks,
   * stop checks, bookkeeping): target-only decoding pays it once a token too. Measured on SmolLM2
   * on a 2-core CPU at about 6 ms against 19 ms for the pass; left out, the baseline read a third
   * low and the status bar 0.83× where an A/B measured 1.14×.
   */
  private readonly roundOverhead = new RollingMedian(ROUND_OVERHEAD_WINDOW);
  /** Recent target-only steps (rounds that drafted nothing, after a generation's first): their skew scales the baseline (targetOnlyEstimate.ts). */
  private readonly targetOnlySteps = new RollingMedian(TARGET_ONLY_STEP_WINDOW);
  /** Whether the latest generation was greedy: the session's figures read that cost model. */
  private lastGreedy = true;
  private disposed = false;

  private calibration!: EngineCalibration;

  private constructor(private readonly pair: LoadedPair, policy: PolicySpec, readonly info: EngineInfo,
    /** Frees the contexts, and the weights unless others hold them. */
    private readonly free: () => Promise<void>) {
    super();
    this.currentPolicy = createPolicy(policy);
    this.currentPolicySpec = policy;
    const side = (loaded: LoadedModel) => ({model: loaded.model, sequence: loaded.sequence, contextSize: loaded.context.contextSize});
    this.decoder = new SpeculativeDecoder(side(pair.target), pair.draft && side(pair.draft));
  }

  static async load(options: EngineLoadOptions, placement?: EnginePlacement): Promise<DraftstopEngine> {
    const policy = options.policy ?? {name: "costAware"};
    createPolicy(policy); // reject a bad policy before spending seconds on loading
    const {pair, free, once} = placement ? await openPooled(options, placement) : await loadAlone(options);
    const info: EngineInfo = {
      target: modelInfo(pair.target),
      draft: pair.draft && modelInfo(pair.draft),
      device: pair.llama.gpu === false ? "cpu" : pair.llama.gpu,
      gpuDevices: await pair.llama.getGpuDeviceNames().catch(() => []),
      threads: pair.options.threads,
      contextSize: pair.target.context.contextSize
    };
    const engine = new DraftstopEngine(pair, policy, info, free);
    try {
      await engine.calibrate(options.calibrationFile, once);
    } catch (error) {
      await engine.dispose();
      throw error;
    }
    return engine;
  }

  get policy(): DraftPolicy {
    return this.currentPolicy;
  }

  get policySpec(): PolicySpec {
    return this.currentPolicySpec;
  }

  /** Switches the draft-length rule for the next generation; models stay loaded. Throws on a bad spec and keeps the old one. */
  setPolicy(spec: PolicySpec): void {
    const policy = createPolicy(spec);
    this.currentPolicy = policy;
    this.currentPolicySpec = spec;
  }

  get hasDraft(): boolean {
    return this.pair.draft !== undefined;
  }

  tokenize(text: string, options: {bos?: boolean; special?: boolean} = {}): Token[] {
    const {model} = this.pair.target;
    const tokens = model.tokenize(text, options.special ?? false);
    return options.bos && model.tokens.bos != null ? [model.tokens.bos, ...tokens] : tokens;
  }

  /** `special`: write control tokens (FIM markers, BOS) as their text, for a tool that parses them back. */
  detokenize(tokens: readonly Token[], options: {special?: boolean} = {}): string {
    return this.pair.target.model.detokenize(tokens, options.special ?? false);
  }

  buildFimPrompt(input: FimInput, options?: FimPromptOptions): FimPrompt {
    return buildFimPrompt(this.pair.target.model, input, options);
  }

  /** The FIM prompt for a completion of up to `maxTokens`, cut to leave that much room in the context. */
  infillPrompt(request: InfillRequest, maxTokens: number): FimPrompt {
    return this.buildFimPrompt(request, {layout: request.layout, maxTokens: this.info.contextSize - maxTokens - GENERATION_HEADROOM});
  }

  /** Completes at a cursor: the FIM prompt from the text around it, then generate(). */
  generateInfill(request: InfillRequest, options: GenerateOptions = {}, recording: GenerationRecording = {}): Promise<InfillReport> {
    return this.infill(request, options, {recordStats: recording.recordStats});
  }

  /** generateInfill() as an experiment: a policy, an acceptance rule or a learning scope of its own. */
  experimentInfill(request: InfillRequest, options: GenerateOptions, experiment: Experiment): Promise<InfillReport> {
    return this.infill(request, options, experiment);
  }

  private async infill(request: InfillRequest, options: GenerateOptions, experiment: Experiment): Promise<InfillReport> {
    const resolved = resolveGenerateOptions(options);
    const prompt = this.infillPrompt(request, resolved.maxTokens);
    const {model} = this.pair.target;
    const head = (prompt.tokens[0] === model.tokens.bos ? 1 : 0) + (prompt.extraContext?.tokens ?? 0);
    const healing = prompt.layout === "prefixOnly" && request.heal !== false ? healPrompt(model, prompt.tokens, head) : undefined;
    const tokens = healing?.tokens ?? prompt.tokens;
    // A healed prompt is prefix-only and cut back: its output continues at its end.
    const report = await this.run(tokens, options, experiment, {healing, continuesAt: healing ? undefined : prompt.continuesAt});
    // The healed text is in the document already; the completion is what follows it.
    const text = healing && report.text.startsWith(healing.healed) ? report.text.slice(healing.healed.length) : report.text;
    return {
      ...report, text,
      prompt: {layout: prompt.layout, tokens: tokens.length, droppedTokens: prompt.droppedPrefixTokens + prompt.droppedSuffixTokens, healed: healing?.healed,
        extraContext: prompt.extraContext && {...prompt.extraContext, evaluated: Math.max(0, Math.min(prompt.extraContext.tokens, head - report.prefill.targetReused))}}
    };
  }

  /** The loaded models, for the benchmark's peer runs (node-llama-cpp's own draft predictor). */
  get loadedPair(): LoadedPair {
    this.ensureAlive();
    return this.pair;
  }

  /** Tokens each sequence holds now (for tests and diagnostics). */
  sequenceTokens(): {target: Token[]; draft?: Token[]} {
    return {target: this.pair.target.sequence.contextTokens, draft: this.pair.draft?.sequence.contextTokens};
  }

  /**
   * Generates a continuation of `prompt` (text is tokenized with a BOS token; token arrays are used
   * as they are). Resolves with stopReason "abort" when options.signal fires: with no tokens and
   * nothing evaluated when it fired before the generation got the engine. Bad options reject.
   */
  generate(prompt: string | readonly Token[], options: GenerateOptions = {}, recording: GenerationRecording = {}): Promise<GenerationReport> {
    return this.run(prompt, options, {recordStats: recording.recordStats}, {});
  }

  /** generate() as an experiment: a policy, an acceptance rule or a learning scope of its own. */
  experiment(prompt: string | readonly Token[], options: GenerateOptions, experiment: Experiment): Promise<GenerationReport> {
    return this.run(prompt, options, experiment, {continuesAt: experiment.continuesAt});
  }

  private async run(prompt: string | readonly Token[], options: GenerateOptions, experiment: Experiment, shape: PromptShape): Promise<GenerationReport> {
    this.ensureAlive();
    const resolved = resolveGenerateOptions(options);
    // What a generation learns under a profile is learned for that profile's machine, not this one's.
    if (experiment.clock && experiment.learningScope === undefined)
      throw new InvalidOptionError("learningScope", undefined, "a scope of its own under a cost profile (what it learns is the profile's machine's, never for the saved calibration)");
    const tokens = typeof prompt === "string" ? this.tokenize(prompt, {bos: true}) : [...prompt];
    const policy = experiment.policy ?? this.currentPolicy;
    const greedy = resolved.temperature === 0;
    let release;
    try {
      release = await this.lock.acquire(resolved.signal);
    } catch (error) {
      if (!isAbortError(error)) throw error;
      return {...this.decoder.abortedBeforeStart(tokens.length, resolved), policy: policy.name, targetTokenMs: this.baselineTokenMs(this.calibration.costModel(greedy))};
    }
    try {
      this.ensureAlive();
      const record = experiment.recordStats ?? true;
      const costs = experiment.clock?.costModel() ?? this.calibration.costModel(greedy);
      if (record) this.lastGreedy = greedy;
      // The entropy map learns from the rounds of the rule that reads it, so that in a benchmark it
      // knows no more than it would alone; the oracle's hindsight acceptance teaches nothing either.
      const learnModel = policy.prepare !== undefined && experiment.sampledAcceptance === undefined;
      const learnLookup = experiment.sampledAcceptance === undefined;
      const scope = experiment.learningScope;
      policy.prepare?.({...this.calibration.environment(resolved, scope), costs});
      const drafters = this.drafters(resolved.drafter, policy);
      if (drafters.lookup) this.lookup.prepare({...this.calibration.lookupEnvironment(resolved, scope), costs});
      const result = await this.decoder.generate(tokens, policy, resolved, {
        sampledAcceptance: experiment.sampledAcceptance,
        healing: shape.healing,
        lookup: drafters.lookup ? this.lookup : undefined,
        continuesAt: shape.continuesAt,
        modelDrafts: drafters.model,
        clock: experiment.clock
      }, {
        onRound: round => {
          if (!experiment.clock) {
            this.roundOverhead.push(round.totalMs - round.verifyMs - round.draftMs - round.entropyMs);
            if (round.drafted === 0 && round.index > 0) this.targetOnlySteps.push(targetOnlyStepMs(round));
          }
          if (round.drafter === "lookup" ? learnLookup : learnModel) this.calibration.observeRound(round, resolved, scope, costs);
          if (record) this.emit("round", round);
        },
        onTargetPass: (n, ms) => costs.observeTargetPass(n, ms),
        onDraftPass: ms => costs.observeDraftPass(ms)
      });
      this.calibration.generationFinished();
      if (record) {
        await this.maybeProbeLatency(tokens.length + result.tokens.length, costs);
      }
      // Under a profile, target-only decoding costs the profile's C_t(1) alone: the loop's overhead is this machine's.
      const targetTokenMs = experiment.clock ? costs.targetMs(1) : this.baselineTokenMs(costs);
      result.totals.targetOnlyMs = experiment.clock ? result.totals.tokens * targetTokenMs : targetOnlyMs(result.rounds, targetTokenMs);
      if (record) addTotals(this.totals, result.totals);
      const report: GenerationReport = {...result, policy: policy.name, targetTokenMs};
      if (record) this.emit("generation", report);
      return report;
    } finally {
      release();
    }
  }

  /** Drops what was learned under these learning scopes (a benchmark run's columns, once it ends). */
  forgetLearningScopes(scopes: readonly string[]): void {
    this.calibration.forgetScopes(scopes);
  }

  /** Session statistics since load or the last resetStats(). */
  stats(): StatsSummary {
    return summarize(this.totals, this.baselineTokenMs(this.calibration.costModel(this.lastGreedy)));
  }

  resetStats(): void {
    this.totals = emptyTotals();
  }

  /** The cost model's ratios and the learned acceptance map (for the setting used last, or the one named). */
  calibrationSnapshot(setting?: string, learningScope?: string): CalibrationSnapshot {
    return this.calibration.snapshot(setting, learningScope);
  }

  /**
   * Frees both contexts, and both models unless the engine opened on pooled ones (then it gives
   * back its claim, and the pool frees them when no engine holds them); waits for a running
   * generation to finish first.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.lock.run(async () => {
      this.disposed = true;
      this.calibration?.save(true);
      await this.free();
    });
    this.removeAllListeners();
  }

  /**
   * Starts the cost model from the target's passes over 1..17 tokens and the draft's single-token
   * pass (measured now, or reused: loadTimeCosts.ts), so that it and the speed-up estimate start
   * from this machine's figures, and reads what was learned about this pair before.
   * `once`: the pool's, so that the windows on one loaded pair measure once between them.
   */
  private async calibrate(calibrationFile: string | undefined, once?: ModelHandle["once"]): Promise<void> {
    const {target, draft} = this.pair;
    const persistence: CalibrationPersistence | undefined = calibrationFile === undefined ? undefined : {
      file: calibrationFile, pairId: pairIdentity(target.path, draft?.path), target: this.info.target.name, draft: this.info.draft?.name,
      warn: message => console.warn(`draftstop: ${message}`)
    };
    const {options} = this.pair;
    const conditions = costConditionsKey({threads: options.threads, contextSize: this.info.contextSize, batchSize: options.batchSize,
      flashAttention: options.flashAttention, kvCacheType: options.kvCacheType, device: String(this.info.device)});
    // One read of the file a load: an unreadable one is reported here, and the next save replaces it.
    const saved = persistence && readPairCalibration(persistence.file, persistence.pairId, persistence.warn);
    const measure = async () => {
      const measured = await this.measurePassCosts();
      if (persistence) writeLoadTimeCosts(persistence.file, persistence.pairId, persistence, conditions, measured, persistence.warn);
      return measured;
    };
    const known = async () => reusableLoadTimeCosts(saved?.loadTimeCosts?.[conditions], Date.now()) ?? await measure();
    // The other window measuring for this one may go before it has done: this one measures then.
    const costs = once ? await once(conditions, known).catch(known) : await known();
    this.calibration = new EngineCalibration(costs.table, {calibrationMs: costs.ms, calibrationPasses: costs.passes, measuredAt: costs.measuredAt, persistence, saved});
  }

  /** Times the target's passes over CALIBRATION_SIZES tokens and the draft's single-token pass, on this engine's sequences. */
  private async measurePassCosts(): Promise<LoadTimeCosts> {
    const started = performance.now();
    const measuredAt = new Date().toISOString();
    const {target, draft} = this.pair;
    const filler = target.model.tokenize("export function add(a: number, b: number): number {\n  return a + b;\n}\n", false);
    const largest = CALIBRATION_SIZES.at(-1)!;
    const context = Array.from({length: Math.max(1, Math.min(CALIBRATION_CONTEXT, this.info.contextSize - largest - 1))}, (_, i) => filler[i % filler.length]!);
    await Promise.all([target.sequence.controlledEvaluate(context), draft?.sequence.controlledEvaluate(context)]);
    const timings = await timeTargetPasses(target.sequence, {sizes: CALIBRATION_SIZES, repeats: calibrationRepeats, budgetMs: CALIBRATION_BUDGET_MS, tokens: filler, warmUp: 1});
    const draftMs = draft ? await timeDraftPasses(draft.sequence, filler, CALIBRATION_DRAFT_PASSES, GENERATE_DEFAULTS.entropyTopK) : undefined;
    await Promise.all([truncate(target.sequence, 0), truncate(draft?.sequence, 0)]);
    return {table: passCostTable(timings, draftMs), ms: performance.now() - started, measuredAt,
      passes: [...timings.samples].map(([tokens, ms]) => ({tokens, timed: ms.length}))};
  }

  /** Which drafters a generation uses (drafters.ts). */
  private drafters(setting: DrafterSetting, policy: DraftPolicy): {model: boolean; lookup: boolean} {
    const sources = draftSources(setting, this.hasDraft, policy.name);
    return {model: sources === "model" || sources === "both", lookup: sources === "lookup" || sources === "both"};
  }

  /**
   * What target-only decoding would spend on a token now: one pass (the cost model's level from
   * the latest passes, so it follows the machine's load) and one round's overhead.
   */
  private targetTokenMs(costs: CostModel): number {
    const overhead = this.roundOverhead.median();
    return costs.targetMs(1) + (Number.isFinite(overhead) ? Math.max(0, overhead) : 0);
  }

  /** What a target-only step costs now, its skew counted: a drafted round's tokens in the speed-up's baseline (targetOnlyEstimate.ts). */
  private baselineTokenMs(costs: CostModel): number {
    return this.targetTokenMs(costs) * stepSkew(this.targetOnlySteps);
  }

  /**
   * Times one single-token target pass now and then (every PROBE_EVERY_GENERATIONS generations, or
   * when the context moved by 25 %) for the cost model: while every round speculates, no round
   * is a one-token pass, and the level would rest on the shape ρ(n) alone.
   */
  private async maybeProbeLatency(contextLength: number, costs: CostModel): Promise<void> {
    this.generationsSinceProbe++;
    const last = this.lastProbeContext;
    const moved = last === undefined || Math.abs(contextLength - last) > 0.25 * Math.max(last, 64);
    if (!moved && this.generationsSinceProbe < PROBE_EVERY_GENERATIONS) return;
    const sample = await this.decoder.measureTargetToken();
    if (sample) {
      costs.observeTargetPass(1, sample.ms);
      this.lastProbeContext = sample.contextLength;
    }
    this.generationsSinceProbe = 0;
  }

  private ensureAlive(): void {
    if (this.disposed) throw new EngineDisposedError();
  }
}

async function loadAlone(options: LoadOptions): Promise<{pair: LoadedPair; free: () => Promise<void>; once?: undefined}> {
  const pair = await loadModelPair(options);
  return {pair, free: async () => void await Promise.all([disposeModel(pair.target), pair.draft && disposeModel(pair.draft)])};
}

async function openPooled(options: LoadOptions, placement: EnginePlacement): Promise<{pair: LoadedPair; free: () => Promise<void>; once: ModelHandle["once"]}> {
  const resolved = resolveLoadOptions(options);
  const handle: ModelHandle = await placement.pool.acquire(options, placement.holder);
  let pair: LoadedPair;
  try {
    pair = await openContexts(handle.weights, resolved);
  } catch (error) {
    await handle.release();
    throw error;
  }
  return {pair, once: handle.once, free: async () => {
    await disposeContexts(pair);
    await handle.release();
  }};
}

function modelInfo(loaded: LoadedModel): ModelInfo {
  const general = (loaded.info.metadata as unknown as {general?: {name?: unknown}}).general;
  return {
    path: loaded.path,
    name: typeof general?.name === "string" && general.name ? general.name : basename(loaded.path),
    sizeBytes: loaded.model.size,
    vocabularySize: vocabularyFacts(loaded.info).tokens.length,
    trainContextSize: loaded.model.trainContextSize,
    fim: hasFimTokens(loaded.model),
    fimLayouts: supportedFimLayouts(loaded.model)
  };
}
