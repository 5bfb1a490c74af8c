// The exact cost-aware optimum (optimum.ts) as a benchmark column, `optimum(maxDraft=16)`, at T = 0.
// Before each task's columns run (outside every column's timing) it decodes the target's greedy
// continuation, reads along it where the draft's greedy token matches, and finds the fastest
// schedule of draft lengths under the run's costs: the cost profile's under --clock profile:…,
// else the engine's cost model as measured. It then runs that schedule through the engine, so its
// figures come from real rounds charged like every other column's. Under a profile no rule with
// this draft can beat it at T = 0; under the wall clock it is an estimate, as the costs are.
// At T > 0 the optimum is not defined by this program: the column reports nothing there.
import type {DraftstopEngine} from "../../engine";
import type {ControlledEvaluateInputItem, LlamaContextSequence, Token} from "../../engine/nlc";
import {BasePolicy, PolicyState} from "../../engine/drafting/policy";
import type {ProfileClock} from "../../engine/drafting/passClock";
import {truncate} from "../../engine/decoding/speculative";
import {BenchColumn, paramsLabel} from "../../benchmark/column";
import {referenceContinuation} from "./oracle";
import {optimalSchedule, RoundCosts} from "./optimum";

/** Drafts exactly the schedule's k in each round, in order. */
export class SchedulePolicy extends BasePolicy {
  readonly name = "optimum";
  private round = 0;

  constructor(private readonly draftLengths: readonly number[]) {
    super({});
  }

  maxDraftThisRound(): number {
    return this.draftLengths[this.round] ?? 0;
  }

  mayDraftLater(): boolean {
    return this.draftLengths.slice(this.round).some(k => k > 0);
  }

  override update(): void {
    this.round++;
  }

  override reset(): void {
    this.round = 0;
  }

  override state(): PolicyState {
    return {draftLength: this.maxDraftThisRound()};
  }
}

/**
 * For each position of `continuation`, whether the draft's greedy token there, given the prompt
 * and the continuation before it, is the continuation's token: one batched pass of the draft.
 */
export async function draftMatches(sequence: LlamaContextSequence, prompt: readonly Token[], continuation: readonly Token[]): Promise<boolean[]> {
  if (continuation.length === 0) return [];
  const all = [...prompt, ...continuation.slice(0, -1)];
  const keep = Math.min(sequence.compareContextTokens(all).firstDifferentIndex, prompt.length - 1);
  await truncate(sequence, keep);
  const asked = prompt.length - 1; // the item whose next token is continuation[0]
  const items: ControlledEvaluateInputItem[] = all.slice(keep).map((token, i) => (keep + i >= asked ? [token, {generateNext: {token: true}}] : token));
  const outputs = await sequence.controlledEvaluate(items);
  const matches = continuation.map((token, j) => outputs[asked - keep + j]?.next.token === token);
  await truncate(sequence, prompt.length - 1);
  return matches;
}

/** The round costs the schedule is chosen for: the profile's, or the engine's greedy cost model. */
export function scheduleCosts(engine: DraftstopEngine, clock: ProfileClock | undefined): RoundCosts {
  if (clock) return {targetPassMs: n => clock.targetPass(n), draftPassMs: w => clock.draftPass(w), bookkeepingMs: clock.profile.bookkeepingMs ?? 0};
  const ratios = engine.calibrationSnapshot("greedy").greedyCosts;
  const rho = (n: number) => ratios.target[Math.min(n, ratios.target.length) - 1]!;
  return {targetPassMs: n => ratios.targetTokenMs * rho(n), draftPassMs: w => ratios.draftTokenMs * rho(w), bookkeepingMs: 0};
}

export function optimumColumn(maxDraft = 16): BenchColumn {
  const params = {maxDraft};
  return {
    label: paramsLabel("optimum", params),
    policy: "optimum",
    params,
    drafter: "model",
    needsDraftModel: true,
    countsRounds: true,
    open(engine, scope) {
      let schedule: number[] | undefined;
      return {
        async prepare({prompt, sampling, clock}) {
          schedule = undefined;
          if (sampling.temperature > 0) return;
          const continuation = await referenceContinuation(engine, prompt, sampling);
          const matches = await draftMatches(engine.loadedPair.draft!.sequence, prompt, continuation);
          schedule = optimalSchedule(matches, scheduleCosts(engine, clock), maxDraft).draftLengths;
        },
        async run({prompt, continuesAt, sampling, clock}) {
          if (!schedule) return {totals: {}};
          const report = await engine.experiment(prompt, {...sampling, drafter: "model", lookupChoice: undefined},
            {policy: new SchedulePolicy(schedule), recordStats: false, continuesAt, learningScope: scope, clock});
          return {rounds: report.rounds};
        }
      };
    }
  };
}
