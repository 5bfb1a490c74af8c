// The round loop of speculative decoding (docs/algorithm.md, "One round"):
//   take a lookup draft where one promises more (lookupDrafts.ts), else the draft model's,
//   drafted one token at a time while the policy says go on (modelDrafter.ts),
//   verify [x, d1..dk] on the target in ONE pass with the distribution at every position,
//   accept by argmax match (greedy) or rejection sampling (T > 0), emit a correction or bonus token,
//   roll back rejected tokens on both sequences, update the policy.
//
// Invariant between rounds: each sequence holds a prefix of the committed tokens, and the target
// holds all of them but the last (x); the draft may lag behind and catches up in its next pass.
import {argmax, Distribution} from "../distribution";
import {ContextOverflowError} from "../errors";
import type {ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token} from "../nlc";
import type {ResolvedGenerateOptions} from "../options";
import type {DraftPolicy} from "../drafting/policies";
import type {PolicyState} from "../drafting/policy";
import {acceptanceProbability, Prng, residual, sample} from "./sampling";
import {addRound, emptyTotals, RoundRecord, StatsTotals} from "../stats/roundRecord";
import {HealedPrompt, restrict} from "../prompt/tokenHealing";
import {OutputStops, StopCheckReason} from "./outputStops";
import type {LookupSource} from "../drafting/lookupDrafter";
import {PassClock, WALL_CLOCK} from "../drafting/passClock";
import {Draft, noDraft} from "./drafter";
import {LookupDrafts} from "./lookupDrafts";
import {ModelDrafter} from "./modelDrafter";

export interface ModelSide {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  contextSize: number;
}

export type StopReason = "eog" | "maxTokens" | StopCheckReason | "abort" | "timeBudget" | "contextFull";

export interface PrefillRecord {
  promptTokens: number;
  /** Tokens each sequence already held from an earlier generation and did not evaluate again. */
  targetReused: number;
  draftReused: number;
  targetEvaluated: number;
  draftEvaluated: number;
  ms: number;
}

export interface GenerationResult {
  /** The generated text, cut before the first stop string, or where the stop rules end the completion. */
  text: string;
  /** Generated tokens up to the one that holds the first character a stop cut, without a final end-of-generation token. */
  tokens: Token[];
  /** Tokens the last round committed wholly past the stop (drafts accepted beyond it). */
  tokensPastStop: number;
  stopReason: StopReason;
  rounds: RoundRecord[];
  totals: StatsTotals;
  prefill: PrefillRecord;
  /** Seed of the PRNG that made every random decision; passed again, it repeats the generation wherever the drafting decisions repeat (a rule that has learned since may draft differently). */
  seed: number;
}

/** What a generation is given besides its prompt, policy and options. */
export interface RoundInputs {
  /** Replaces the acceptance rule for this generation (the benchmark's hindsight oracle). */
  sampledAcceptance?: SampledAcceptance;
  /**
   * Token healing (tokenHealing.ts): the first generated token is drawn from `allowed` only, and
   * stop strings are looked for after the healed text the output starts with.
   */
  healing?: Healing;
  /** Lookup drafts from the context's own tokens (docs/algorithm.md, "Lookup drafting"). Default none. */
  lookup?: LookupSource;
  /** Where the output continues the prompt, for lookup (FIM: after the prefix). Default: at its end. */
  continuesAt?: number;
  /** false: the draft model drafts nothing (lookup only, or target-only). Default true. */
  modelDrafts?: boolean;
  /** What each pass is charged (drafting/passClock.ts): the time it took (default), or a cost profile's. */
  clock?: PassClock;
}

/** What a generation reports as it goes; none of it changes what it does. */
export interface RoundObservers {
  onRound?(round: RoundRecord): void;
  /** Every verification pass over n tokens (x and the drafts), as charged, for the cost model. */
  onTargetPass?(tokens: number, ms: number): void;
  /** Every draft pass over a single token (its probability map included), as charged, for the cost model. */
  onDraftPass?(ms: number): void;
}

export type Healing = Pick<HealedPrompt, "allowed" | "healed">;

/** One generation's state, read and moved on by the round's steps. */
interface Run {
  policy: DraftPolicy;
  options: ResolvedGenerateOptions;
  inputs: RoundInputs;
  observers: RoundObservers;
  prng: Prng;
  greedy: boolean;
  clock: PassClock;
  started: number;
  contextSize: number;
  modelDrafter: ModelDrafter | undefined;
  lookupDrafter: LookupDrafts | undefined;
  stops: OutputStops | undefined;
  /** The prompt and every token committed since; the output alone. */
  committed: Token[];
  output: Token[];
  rounds: RoundRecord[];
  totals: StatsTotals;
  stopReason: StopReason | undefined;
}

/** What a round knows when it begins. */
interface RoundStart {
  startMs: number;
  /** Committed tokens when it began: the index where its first draft would go. */
  contextLength: number;
  policyState: PolicyState;
  /** The healed first token's allowed set (the first round of a healed prompt only). */
  healing: ReadonlySet<Token> | undefined;
  /** Most tokens any draft may hold; maxDraft: the draft model's cap within it. */
  limit: number;
  maxDraft: number;
}

/** A verified round: drafts accepted, the token after them, the pass's time. */
interface Verdict {
  accepted: number;
  next: Token;
  verifyMs: number;
}

const now = () => performance.now();

/** What verification at T > 0 decides on: the drafts, their q, the target's p at each position. */
export interface VerifiedRound {
  drafts: readonly Token[];
  q: readonly Distribution[];
  /** p_1 .. p_{k+1}. */
  p: readonly Distribution[];
  /** Index in the committed tokens (prompt included) where the first draft would go. */
  position: number;
}

/** Decides, for T > 0, how many drafts to accept and which token to emit next. */
export type SampledAcceptance = (round: VerifiedRound, prng: Prng) => {accepted: number; next: Token};

export class SpeculativeDecoder {
  /** `sampledAcceptance` is replaceable only so that tests can prove they catch a broken rule. */
  constructor(private readonly target: ModelSide, private readonly draft: ModelSide | undefined,
    private readonly sampledAcceptance: SampledAcceptance = rejectionSampling) {}

  async generate(prompt: readonly Token[], policy: DraftPolicy, options: ResolvedGenerateOptions,
    inputs: RoundInputs = {}, observers: RoundObservers = {}): Promise<GenerationResult> {
    if (prompt.length === 0) throw new Error("the prompt must hold at least one token");
    const contextSize = Math.min(this.target.contextSize, this.draft?.contextSize ?? Infinity);
    if (prompt.length > contextSize) throw new ContextOverflowError(prompt.length, contextSize);
    // Every expensive step looks at the signal first: a generation cancelled before it starts
    // evaluates nothing, not even its prompt.
    if (options.signal?.aborted) return this.abortedBeforeStart(prompt.length, options);
    const started = now();
    const modelDrafts = this.draft !== undefined && inputs.modelDrafts !== false;
    const drafting = modelDrafts && (policy.mayDraftLater?.() ?? policy.maxDraftThisRound() > 0);
    const prefill = await this.prefill(prompt, drafting, options.signal);
    const lookup = inputs.lookup;
    lookup?.begin(prompt, {continuesAt: inputs.continuesAt});

    const prng = new Prng(options.seed);
    const totals = emptyTotals();
    totals.generations = 1;
    prefill.ms = now() - started; // the lookup index's update belongs to the prompt's cost
    totals.prefillMs = prefill.ms;
    const clock = inputs.clock ?? WALL_CLOCK;
    const run: Run = {
      policy, options, inputs, observers, prng, greedy: options.temperature === 0, clock, started, contextSize,
      modelDrafter: modelDrafts ? new ModelDrafter(this.draft!.sequence, policy, options, prng, clock, observers.onDraftPass) : undefined,
      lookupDrafter: lookup ? new LookupDrafts(lookup) : undefined,
      stops: OutputStops.for(this.target.model, options, inputs.healing?.healed),
      committed: [...prompt], output: [], rounds: [], totals, stopReason: undefined
    };
    while (run.stopReason === undefined) {
      run.stopReason = this.stopBeforeRound(run);
      if (run.stopReason !== undefined) break;
      const round = this.beginRound(run);
      const drafted = await this.draftRound(run, round);
      if (options.signal?.aborted) {
        await truncate(this.draft?.sequence, round.contextLength - 1);
        run.stopReason = "abort";
        break;
      }
      const verdict = await this.verifyRound(run, round, drafted);
      const tokens = await this.commitRound(run, drafted, verdict);
      this.recordRound(run, round, drafted, verdict, tokens);
    }
    const {output, stops} = run;
    const end = stops?.finish(output) ?? {text: this.target.model.detokenize(output), tokens: output.length};
    return {text: end.text, tokens: output.slice(0, end.tokens), tokensPastStop: output.length - end.tokens, stopReason: run.stopReason!,
      rounds: run.rounds, totals, prefill, seed: options.seed};
  }

  /** Why the generation ends before another round (cancelled, out of time, out of context), if it does. */
  private stopBeforeRound({options, started, contextSize, committed}: Run): StopReason | undefined {
    if (options.signal?.aborted) return "abort";
    if (options.timeBudgetMs !== undefined && now() - started >= options.timeBudgetMs) return "timeBudget";
    if (contextSize - committed.length < 0) return "contextFull";
    return undefined;
  }

  /** What a round knows when it begins: where it starts, how much it may draft, the policy's state. */
  private beginRound({policy, options, inputs, rounds, output, committed, contextSize, modelDrafter}: Run): RoundStart {
    const policyState = policy.state();
    // The healed first token comes from the target's full distribution, so nothing is drafted for it.
    const healing = rounds.length === 0 ? inputs.healing?.allowed : undefined;
    const limit = healing ? 0 : Math.max(0, Math.min(options.maxTokens - output.length - 1, contextSize - committed.length));
    return {startMs: now(), contextLength: committed.length, policyState, healing, limit, maxDraft: modelDrafter?.cap(limit) ?? 0};
  }

  /** The round's drafts: lookup's where it proposes one (its rival: the speed-up model drafting has measured, where it would run), else the draft model's. */
  private async draftRound({committed, output, greedy, stops, lookupDrafter, modelDrafter, clock}: Run, round: RoundStart): Promise<Draft> {
    // Drafts end where the text would: tokens past a stop could only be thrown away.
    const draftsToStop = stops ? (drafts: readonly Token[]) => stops.draftsToStop(output, drafts) : undefined;
    const request = {committed, limit: round.limit, greedy, draftsToStop,
      rivalSpeedup: round.maxDraft > 0 ? Math.max(1, round.policyState.speculationGain ?? 1) : 1};
    const lookupStart = now();
    const lookupDraft = await lookupDrafter?.draft(request);
    const lookupMs = lookupDrafter ? clock.lookup(now() - lookupStart) : 0;
    const drafted = lookupDraft ?? await modelDrafter?.draft({...request, limit: round.maxDraft}) ?? noDraft();
    drafted.entropyMs += lookupMs;
    return drafted;
  }

  /** One target pass over the drafts, and how many of them are accepted with the token that follows. */
  private async verifyRound(run: Run, round: RoundStart, drafted: Draft): Promise<Verdict> {
    const {committed, greedy, options, inputs, observers, prng, policy, clock} = run;
    const {healing} = round;
    const verifyStart = now();
    const verified = await this.verify(committed, drafted.tokens, greedy, options, healing !== undefined);
    const verifyMs = clock.targetPass(verified.evaluated, now() - verifyStart);
    // A healed round asks for the whole distribution, and a pass that also caught up on skipped
    // tokens is bigger than its drafts say: neither is a typical verification. Nor is a
    // generation's first pass, which costs about twice the next ones (SmolLM2 on a 2-core CPU:
    // 32–48 ms against 17–25, draft or none); counted, it raised the cost model's C_t(1) by a third
    // and hid what wider passes cost relative to it.
    if (!healing && run.rounds.length > 0 && verified.evaluated === drafted.tokens.length + 1) observers.onTargetPass?.(verified.evaluated, verifyMs);
    const {accepted, next} = healing
      ? {accepted: 0, next: healedToken(verified.distributions![0]!, healing, greedy, prng)}
      : greedy
        ? acceptGreedy(drafted.tokens, verified.targetTokens!)
        : (inputs.sampledAcceptance ?? this.sampledAcceptance)({drafts: drafted.tokens, q: drafted.distributions, p: verified.distributions!, position: round.contextLength}, prng);
    // A lookup round is none of the policy's business: it neither drafted nor decided anything.
    if (drafted.drafter !== "lookup") policy.update(drafted.tokens.length, accepted, round.maxDraft);
    return {accepted, next, verifyMs};
  }

  /** Commits the accepted drafts and the next token, rolls both sequences back to them, and checks the stops. Returns the round's tokens. */
  private async commitRound(run: Run, drafted: Draft, {accepted, next}: Verdict): Promise<Token[]> {
    const {committed, output, options, stops} = run;
    const roundTokens: Token[] = [];
    const outputBefore = output.length;
    // Drafts that end the text, all accepted, end the generation: the bonus token would lie past the stop.
    const endedByDrafts = drafted.reachesStop && accepted === drafted.tokens.length;
    for (const token of endedByDrafts ? drafted.tokens : [...drafted.tokens.slice(0, accepted), next]) {
      committed.push(token);
      roundTokens.push(token);
      if (options.stopOnEog && this.target.model.isEogToken(token)) {
        run.stopReason = "eog";
        break;
      }
      output.push(token);
    }
    await Promise.all([truncate(this.target.sequence, committed.length - 1), truncate(this.draft?.sequence, committed.length - 1)]);
    run.inputs.lookup?.commit(roundTokens);
    if (run.stopReason === undefined && stops) run.stopReason = stops.afterRound(output, outputBefore);
    if (run.stopReason === undefined && output.length >= options.maxTokens) run.stopReason = "maxTokens";
    if (run.stopReason === undefined && options.onText) {
      const text = stops?.textSoFar();
      if (text !== undefined) options.onText(text);
    }
    return roundTokens;
  }

  private recordRound({rounds, totals, observers, clock}: Run, round: RoundStart, drafted: Draft, {accepted, verifyMs}: Verdict, tokens: Token[]): void {
    const record: RoundRecord = {
      index: rounds.length,
      drafted: drafted.tokens.length,
      accepted,
      emitted: tokens.length,
      tokens,
      ...(drafted.tokens.length > 0 && drafted.drafter ? {drafter: drafted.drafter} : {}),
      ...(drafted.match ? {match: drafted.match} : {}),
      entropies: drafted.entropies,
      stopEntropy: drafted.stopEntropy,
      lambda: round.policyState.lambda,
      draftPasses: drafted.passes,
      draftMs: drafted.ms,
      verifyMs,
      entropyMs: drafted.entropyMs,
      // A profile charges the passes and the decisions, nothing else: the loop's own overhead is this machine's.
      totalMs: clock.measured ? now() - round.startMs : drafted.ms + verifyMs + drafted.entropyMs,
      contextLength: round.contextLength
    };
    rounds.push(record);
    addRound(totals, record);
    observers.onRound?.(record);
  }

  /** The result of a generation whose signal fired before it began: no tokens, nothing evaluated. */
  abortedBeforeStart(promptTokens: number, options: ResolvedGenerateOptions): GenerationResult {
    const totals = emptyTotals();
    totals.generations = 1;
    return {
      text: "", tokens: [], tokensPastStop: 0, stopReason: "abort", rounds: [], totals, seed: options.seed,
      prefill: {promptTokens, targetReused: 0, draftReused: 0, targetEvaluated: 0, draftEvaluated: 0, ms: 0}
    };
  }

  /**
   * Times one target pass over the last committed token, the cost of one target-only decoding
   * step at the current context length, then erases it so the sequence is as it was.
   */
  async measureTargetToken(): Promise<{contextLength: number; ms: number} | undefined> {
    const {sequence} = this.target;
    const tokens = sequence.contextTokens;
    if (tokens.length === 0) return undefined;
    const last = tokens.at(-1)!;
    await truncate(sequence, tokens.length - 1);
    const start = now();
    await sequence.controlledEvaluate([[last, {generateNext: {token: true}}]]);
    return {contextLength: tokens.length, ms: now() - start};
  }

  /**
   * Evaluates the prompt but its last token on both sequences, reusing what they already hold.
   * `signal` stops it between batches: what was evaluated stays, for the next prompt that shares it.
   */
  private async prefill(prompt: readonly Token[], includeDraft: boolean, signal?: AbortSignal): Promise<PrefillRecord> {
    const start = now();
    // A draft that sits out (policy "off") still drops what disagrees with the prompt, so that it
    // always holds a prefix of the committed tokens and can catch up later.
    const [target, draft] = await Promise.all([
      prefillSequence(this.target.sequence, prompt, true, signal),
      this.draft ? prefillSequence(this.draft.sequence, prompt, includeDraft, signal) : undefined
    ]);
    return {
      promptTokens: prompt.length,
      targetReused: target.reused,
      targetEvaluated: target.evaluated,
      draftReused: draft?.reused ?? 0,
      draftEvaluated: draft?.evaluated ?? 0,
      ms: now() - start
    };
  }

  /**
   * One target pass over the tokens it lacks (normally just x) and the drafts, with p at each.
   * `fullDistribution`: p untruncated (at T = 1 when greedy), for a healed first token.
   */
  private async verify(committed: readonly Token[], drafts: readonly Token[], greedy: boolean, options: ResolvedGenerateOptions,
    fullDistribution = false) {
    const sequence = this.target.sequence;
    const pending = committed.slice(sequence.nextTokenIndex);
    const withDistributions = !greedy || fullDistribution;
    const generateNext = fullDistribution
      ? {probabilities: true, options: {temperature: greedy ? 1 : options.temperature, topK: 0, topP: 1, minP: 0}}
      : greedy
        ? {token: true}
        : {probabilities: true, options: {temperature: options.temperature, topK: options.topK, topP: options.topP, minP: options.minP}};
    const items: ControlledEvaluateInputItem[] = [
      ...pending.slice(0, -1),
      ...[pending.at(-1)!, ...drafts].map((token): ControlledEvaluateInputItem => [token, {generateNext}])
    ];
    const outputs = await sequence.controlledEvaluate(items);
    const results = outputs.slice(pending.length - 1);
    if (results.length !== drafts.length + 1 || results.some(r => r === undefined))
      throw new Error(`target pass returned ${results.filter(Boolean).length} of ${drafts.length + 1} next-token results`);
    return {
      evaluated: items.length,
      targetTokens: withDistributions ? undefined : results.map(r => r!.next.token as Token),
      distributions: withDistributions ? results.map(r => r!.next.probabilities as Distribution) : undefined
    };
  }
}

/**
 * The healed first token: argmax (greedy) or a sample of p restricted to the allowed tokens. At
 * T > 0 top-k/top-p do not apply to this one token (they could leave no allowed token at all).
 * Where the allowed tokens have no mass, p itself decides.
 */
function healedToken(p: Distribution, allowed: ReadonlySet<Token>, greedy: boolean, prng: Prng): Token {
  const restricted = restrict(p, allowed);
  const from = restricted.size > 0 ? restricted : p;
  return greedy ? argmax(from) : sample(from, prng);
}

function acceptGreedy(drafts: readonly Token[], targetTokens: readonly Token[]): {accepted: number; next: Token} {
  let accepted = 0;
  while (accepted < drafts.length && drafts[accepted] === targetTokens[accepted]) accepted++;
  return {accepted, next: targetTokens[accepted]!};
}

/** Leviathan et al.'s rule: the emitted tokens have exactly the target's distribution. */
export const rejectionSampling: SampledAcceptance = ({drafts, q, p}, prng) => {
  for (let i = 0; i < drafts.length; i++) {
    if (prng.uniform() < acceptanceProbability(p[i]!, q[i]!, drafts[i]!)) continue;
    return {accepted: i, next: sample(residual(p[i]!, q[i]!), prng)};
  }
  return {accepted: drafts.length, next: sample(p[drafts.length]!, prng)};
};

/**
 * Brings `sequence` to `prompt` but its last token. One batch at a time, as llama.cpp would split
 * the whole (so the KV cache is the same to the bit), looking at `signal` before each: a prompt at a
 * new place costs seconds on a CPU (170 tokens a second for SmolLM2-135M on one core), and a request
 * cancelled by typing, or background work a real request preempts, must give the engine back within
 * one batch, not after all of it.
 */
async function prefillSequence(sequence: LlamaContextSequence, prompt: readonly Token[], evaluate: boolean, signal?: AbortSignal) {
  const keep = Math.min(sequence.compareContextTokens([...prompt]).firstDifferentIndex, prompt.length - 1);
  await truncate(sequence, keep);
  const rest = evaluate ? prompt.slice(keep, -1) : [];
  const batch = sequence.context.batchSize;
  let evaluated = 0;
  while (evaluated < rest.length && !signal?.aborted) {
    const part = rest.slice(evaluated, evaluated + batch);
    await sequence.controlledEvaluate(part);
    evaluated += part.length;
  }
  return {reused: keep, evaluated};
}

/** Erases everything from `length` on (no-op when the sequence is not longer). */
export async function truncate(sequence: LlamaContextSequence | undefined, length: number): Promise<void> {
  if (sequence && sequence.nextTokenIndex > length)
    await sequence.eraseContextTokenRanges([{start: Math.max(0, length), end: sequence.nextTokenIndex}]);
}
