// A draft-length policy run on recorded traces (draftTrace.ts) instead of models: at T = 0 what a
// round drafts, and so what it costs under a cost profile, depends only on where the draft's
// greedy token matches the target's continuation and on the entropies the policy reads, and a
// trace holds both (past a rejected token too). The policy is the product's own object, prepared
// with the same environment and fed the same rounds as in the engine (acceptance map, entropy
// transitions, gain), so a change to a rule is charged on a pair's tasks in milliseconds rather
// than in a sweep of tens of minutes. The round loop's accounting is signalBound.ts's; a test
// holds a replay to the engine's own run under the same profile (test/bench/policyReplay.test.ts).
// Only rules that read the entropy: a trace records no top probability (DraftStep.topProbability
// is NaN here), and no token.
import {EngineCalibration} from "../../engine/drafting/engineCalibration";
import {ProfileClock, profileCostTable} from "../../engine/drafting/passClock";
import type {DraftPolicy, PolicyEnvironment} from "../../engine/drafting/policy";
import {binOf} from "../../engine/drafting/acceptanceMap";
import {ENTROPY_EDGES} from "../../engine/stats/entropyBins";
import {resolveGenerateOptions} from "../../engine/options";
import type {RoundRecord} from "../../engine/stats/roundRecord";
import type {DraftTrace} from "./signalBound";

export interface ReplayResult {
  /** Time of all traces' generations under the profile, ms. */
  totalMs: number;
  /** Time of the same tokens decoded by the target alone, ms. */
  targetOnlyMs: number;
  /** Rounds, those that drafted, and the tokens they drafted and had accepted. */
  rounds: number;
  draftRounds: number;
  drafted: number;
  accepted: number;
}

/** Learned state a replay reads and feeds: one per column, as a benchmark column's learning scope. */
export function replayCalibration(clock: ProfileClock): EngineCalibration {
  return new EngineCalibration(profileCostTable(clock.profile));
}

const GREEDY = resolveGenerateOptions({temperature: 0});

/**
 * Runs `policy` on each trace in turn as one generation of the trace's length, with `calibration`
 * learning from its rounds as the engine's would (a trace run before others is a warm-up: pass the
 * same calibration and policy and ignore its result). `acceptance`, where given, replaces the
 * learned acceptance map the policy reads (hindsightAcceptance: a map that needs no learning).
 */
export function replayPolicy(traces: readonly DraftTrace[], policy: DraftPolicy, clock: ProfileClock, calibration: EngineCalibration,
  acceptance?: PolicyEnvironment["acceptance"]): ReplayResult {
  const costs = clock.costModel();
  const bookkeepingMs = clock.bookkeeping(0);
  const result: ReplayResult = {totalMs: 0, targetOnlyMs: 0, rounds: 0, draftRounds: 0, drafted: 0, accepted: 0};
  for (const trace of traces) {
    const {matches, entropies} = trace;
    const n = matches.length;
    policy.prepare?.({...calibration.environment(GREEDY), costs, ...(acceptance ? {acceptance} : {})});
    result.targetOnlyMs += n * clock.targetPass(1);
    let position = 0, pending = 1;
    while (position < n) {
      result.rounds++;
      const maxDraft = Math.min(policy.maxDraftThisRound(), n - position - 1);
      if (maxDraft <= 0) {
        result.totalMs += clock.targetPass(1);
        policy.update(0, 0, Math.max(0, maxDraft));
        position++;
        pending++;
        continue;
      }
      policy.beginRound?.();
      const drafted: number[] = [];
      let accepted = 0, rejectedAt = -1, stopEntropy: number | undefined, passes = 0, ms = 0;
      for (let index = 1; ; index++) {
        ms += clock.draftPass(index === 1 ? pending : 1) + bookkeepingMs;
        passes++;
        const at = position + drafted.length;
        const h = rejectedAt < 0 ? entropies[at]! : entropyAfterRejection(trace, rejectedAt, at);
        if (!policy.shouldDraft({index, entropy: h, topProbability: NaN, position: at})) {
          stopEntropy = h;
          break;
        }
        drafted.push(h);
        if (rejectedAt < 0) {
          if (matches[at]) accepted++;
          else rejectedAt = at;
        }
        if (index >= maxDraft || policy.worthAnotherPass?.(index + 1) === false) break;
      }
      const verifyMs = clock.targetPass(drafted.length + 1);
      result.totalMs += ms + verifyMs;
      policy.update(drafted.length, accepted, maxDraft);
      calibration.observeRound(roundRecord(drafted, accepted, stopEntropy, passes, ms, verifyMs), GREEDY, undefined, costs);
      if (drafted.length > 0) {
        result.draftRounds++;
        result.drafted += drafted.length;
        result.accepted += accepted;
      }
      // As the round loop leaves the draft's sequence (optimum.ts, afterRound): after a pass over
      // the last drafted token only the target's token is pending.
      pending = stopEntropy !== undefined || accepted < drafted.length ? 1 : 2;
      position += accepted + 1;
    }
  }
  return result;
}

function entropyAfterRejection(trace: DraftTrace, rejectedAt: number, at: number): number {
  const h = trace.afterRejection?.[rejectedAt]?.[at - rejectedAt - 1];
  if (h === undefined) throw new RangeError(`the trace has no entropy for position ${at} after the rejection at ${rejectedAt}: record it with draftTrace to the policy's maxDraft`);
  return h;
}

/** What the calibration reads of a round: its drafts' entropies, the one declined, and the outcome. */
function roundRecord(entropies: number[], accepted: number, stopEntropy: number | undefined, passes: number, draftMs: number, verifyMs: number): RoundRecord {
  return {
    index: 0, drafted: entropies.length, accepted, emitted: accepted + 1, tokens: [],
    ...(entropies.length > 0 ? {drafter: "model" as const} : {}),
    entropies, stopEntropy, lambda: undefined, draftPasses: passes, draftMs, verifyMs, entropyMs: 0, totalMs: draftMs + verifyMs, contextLength: 0
  };
}

/**
 * The acceptance the traces themselves show by entropy bin, in hindsight: at each position of the
 * target's continuation, whether the draft's token there matches, which is whether a token drafted
 * there is accepted when the ones before it in its round were (what the learned map estimates). A
 * bin no position fell in reads as its nearest bin that has some. Read with no optimism: the
 * calibration a rule would reach with unlimited evidence from these very tasks.
 */
export function hindsightAcceptance(traces: readonly DraftTrace[]): PolicyEnvironment["acceptance"] {
  const bins = ENTROPY_EDGES.length - 1;
  const judged = Array<number>(bins).fill(0), accepted = Array<number>(bins).fill(0);
  for (const {matches, entropies} of traces) matches.forEach((match, i) => {
    const bin = binOf(entropies[i]!);
    judged[bin]!++;
    if (match) accepted[bin]!++;
  });
  const filled = judged.flatMap((n, bin) => (n > 0 ? [bin] : []));
  if (filled.length === 0) throw new RangeError("hindsightAcceptance: the traces hold no positions");
  const rate = judged.map((_, bin) => {
    const nearest = filled.reduce((a, b) => (Math.abs(b - bin) < Math.abs(a - bin) ? b : a));
    return Math.min(0.999, Math.max(0.001, accepted[nearest]! / judged[nearest]!));
  });
  return {optimistic: entropy => rate[binOf(entropy)]!, best: () => Math.max(...rate)};
}
