// The exact cost-aware optimum (optimum.ts) as a benchmark column, `optimum(maxDraft=16)`, at T = 0.
// Before each task's columns run (outside every column's timing) it decodes the target's greedy
// continuation, reads along it where the draft's greedy token matches, and finds the fastest
// schedule of draft lengths under the run's costs: the cost profile's under --clock profile:…,
// else the engine's cost model as measured. It then runs that schedule through the engine, so its
// figures come from real rounds charged like every other column's. Under a profile no rule with
// this draft can beat it at T = 0; under the wall clock it is an estimate, as the costs are.
// At T > 0 the optimum is not defined by this program: the column reports nothing there.
import type {DraftstopEngine} from "../../engine";
import type {LlamaContextSequence, Token} from "../../engine/nlc";
import {BasePolicy, PolicyState} from "../../engine/drafting/policy";
import type {ProfileClock} from "../../engine/drafting/passClock";
import {truncate} from "../../engine/decoding/speculative";
import {BenchColumn, paramsLabel} from "../../benchmark/column";
import {evaluateAlong} from "./draftTrace";
import {referenceContinuation} from "./oracle";
import {afterRound, optimalPlan, RoundCosts, RoundState} from "./optimum";

/**
 * Drafts the optimal k for where the generation stands: tokens emitted and tokens the draft has
 * not evaluated, followed round by round (update), so that a round that accepts other than the
 * matches said still gets the optimum's k from there on.
 */
export class SchedulePolicy extends BasePolicy {
  readonly name = "optimum";
  private at: RoundState = {position: 0, pending: 1};

  constructor(private readonly draftAt: (position: number, pending: number) => number, private readonly length: number) {
    super({});
  }

  maxDraftThisRound(): number {
    return this.draftAt(this.at.position, this.at.pending);
  }

  mayDraftLater(): boolean {
    return this.at.position < this.length;
  }

  override update(drafted: number, accepted: number): void {
    this.at = afterRound(this.at, drafted, accepted);
  }

  override reset(): void {
    this.at = {position: 0, pending: 1};
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
  const outputs = await evaluateAlong(sequence, prompt, continuation, {token: true});
  const matches = continuation.map((token, j) => outputs[j]?.next.token === token);
  await truncate(sequence, prompt.length - 1);
  return matches;
}

/** The round costs a profile charges, as the optimum and the signal bound read them. */
export function profileRoundCosts(clock: ProfileClock): RoundCosts {
  return {targetPassMs: n => clock.targetPass(n), draftPassMs: w => clock.draftPass(w), bookkeepingMs: clock.profile.bookkeepingMs ?? 0};
}

/** The round costs the schedule is chosen for: the profile's, or the engine's greedy cost model. */
export function scheduleCosts(engine: DraftstopEngine, clock: ProfileClock | undefined): RoundCosts {
  if (clock) return profileRoundCosts(clock);
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
      let plan: {continuation: Token[]; draftAt: (position: number, pending: number) => number} | undefined;
      return {
        async prepare({prompt, sampling, clock}) {
          plan = undefined;
          if (sampling.temperature > 0) return;
          const continuation = await referenceContinuation(engine, prompt, sampling);
          const matches = await draftMatches(engine.loadedPair.draft!.sequence, prompt, continuation);
          plan = {continuation, draftAt: optimalPlan(matches, scheduleCosts(engine, clock), maxDraft).draftAt};
        },
        async run({task, prompt, continuesAt, sampling, clock}) {
          if (!plan) return {totals: {}};
          const report = await engine.experiment(prompt, {...sampling, drafter: "model", lookupChoice: undefined},
            {policy: new SchedulePolicy(plan.draftAt, plan.continuation.length), recordStats: false, continuesAt, learningScope: scope, clock});
          // Greedy, every rule emits the target's continuation, unless a pass of another width
          // rounded a near-tie the other way: then this run is no longer a bound for that task.
          const emitted = report.rounds.flatMap(r => r.tokens);
          if (emitted.some((token, i) => token !== plan!.continuation[i]))
            console.warn(`optimum: ${task.id}: the run's greedy text left the target-only continuation (a near-tie decided otherwise by a wider pass); not a bound on this task`);
          return {rounds: report.rounds};
        }
      };
    }
  };
}
