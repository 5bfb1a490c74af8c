// The hindsight oracle: a stopping rule that knows the target's continuation (from a target-only
// run with the same prompt, settings and seed) and drafts the draft model's token exactly when the
// target will accept it, stopping at the first one it would reject. It uses the real draft model:
// no draft token is wasted and no round stops early. It knows nothing of costs, so it is not a
// bound where a pass one token longer costs more than that token brings: on the wide rig a third
// token costs 0.74 of C_t(1) (docs/algorithm.md, "Baselines").
//
// Greedy: acceptance is an argmax match, so "will accept" is exact. T > 0: the oracle's round
// accepts by matching the continuation and emits the continuation's token at a mismatch, so its
// output is the target-only sample itself (exactly the target's distribution). Rejection sampling
// accepts some tokens a match would not (Σ min(p, q) ≥ Σ p·q), so at T > 0 a real policy can beat
// this oracle; the benchmark report says so.
import type {DraftstopEngine} from "../../engine";
import {BasePolicy, createPolicy, DraftStep, HindsightStep} from "../../engine/drafting/policies";
import type {SampledAcceptance} from "../../engine/decoding/speculative";
import type {Token} from "../../engine/nlc";
import {BenchColumn, BenchSampling, paramsLabel} from "../../benchmark/column";

export class OraclePolicy extends BasePolicy {
  readonly name = "matchOracle";

  /** `continuation[i]` is the token at committed position `start + i`. */
  constructor(private readonly continuation: readonly Token[], private readonly start: number, private readonly maxDraft = 16) {
    super({});
  }

  maxDraftThisRound(): number {
    return this.maxDraft;
  }

  override shouldDraft(_step: DraftStep): boolean {
    throw new Error("the oracle decides in hindsight: shouldDraftKnowing");
  }

  shouldDraftKnowing(step: HindsightStep): boolean {
    return this.continuation[step.position - this.start] === step.token;
  }
}

/** T > 0 verification for the oracle: every draft matches the continuation; emit its next token. */
export function followContinuation(continuation: readonly Token[], start: number): SampledAcceptance {
  return ({drafts, position}) => {
    const next = continuation[position + drafts.length - start];
    if (next === undefined) throw new Error("the oracle ran past the target's continuation");
    return {accepted: drafts.length, next};
  };
}

/**
 * The match oracle as a column, `matchOracle(maxDraft=16)`: before each task's columns run it decodes the
 * target's own continuation (outside every column's timing), then drafts with the draft model by it.
 */
export function oracleColumn(maxDraft = 16): BenchColumn {
  const params = {maxDraft};
  return {
    label: paramsLabel("matchOracle", params),
    policy: "matchOracle",
    params,
    drafter: "model",
    needsDraftModel: true,
    countsRounds: true,
    open(engine, scope) {
      let continuation: Token[] = [];
      return {
        async prepare({prompt, sampling}) {
          continuation = await referenceContinuation(engine, prompt, sampling);
        },
        async run({prompt, continuesAt, sampling, clock}) {
          const report = await engine.experiment(prompt, {...sampling, drafter: "model", lookupChoice: undefined}, {
            clock,
            policy: new OraclePolicy(continuation, prompt.length, maxDraft),
            sampledAcceptance: sampling.temperature > 0 ? followContinuation(continuation, prompt.length) : undefined,
            recordStats: false,
            continuesAt,
            learningScope: scope
          });
          return {rounds: report.rounds};
        }
      };
    }
  };
}

/** The target's own continuation (target-only, same seed): what the oracle knows in hindsight. */
export async function referenceContinuation(engine: DraftstopEngine, prompt: readonly Token[], sampling: BenchSampling): Promise<Token[]> {
  const report = await engine.experiment(prompt, sampling, {policy: createPolicy({name: "off"}), recordStats: false});
  return report.rounds.flatMap(r => r.tokens);
}
