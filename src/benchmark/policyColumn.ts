// A column that runs one of Draftstop's own draft-length policies through the engine: a policy
// (with its parameters), where its drafts come from, and which lookup match it copies.
import {createPolicy, DraftPolicy, DrafterSetting, LookupChoice, PolicyName, PolicySpec} from "../engine";
import {BenchColumn, BenchParams, paramsLabel} from "./column";

/**
 * A policy's parameters as the engine's factory takes them (its PolicySpec less the name), so each
 * has the type the policy gives it: a number stays a number and a boolean a boolean.
 */
export type PolicyParams<N extends PolicyName = PolicyName> = keyof SpecParams<N> extends never ? Record<string, never> : SpecParams<N>;
type SpecParams<N extends PolicyName> = Omit<Extract<PolicySpec, {name: N}>, "name">;

/**
 * A policy column. `drafter` says where its drafts come from (the engine's GenerateOptions.drafter);
 * default "model", so that a column measures the draft model unless it says otherwise (the
 * engine's own default would mix in lookup drafts). `lookupChoice` is passed on as it is (engine
 * default "recent").
 */
export type PolicyColumnSpec = {[N in PolicyName]: {name: N; params?: PolicyParams<N>; drafter?: DrafterSetting; lookupChoice?: LookupChoice}}[PolicyName];

/** The drafter a policy column runs with when it names none. */
export const BENCH_DRAFTER: DrafterSetting = "model";

/**
 * The column of `spec`, named `static(k=4)`; a lookup column is named for the drafter, with its
 * policy where that is not the default cost-aware one: `lookup`, `lookup(vote)`,
 * `lookup/static(k=4)`; lookup beside the draft model adds `+lookup`: `costAware+lookup`.
 * Target-only ("off") drafts nothing: it has no drafter and is the baseline of every speed-up.
 * Throws the engine's InvalidOptionError for an unknown policy or parameter.
 */
export function policyColumn(spec: PolicyColumnSpec): BenchColumn {
  const params: BenchParams = {...spec.params} as BenchParams;
  const policySpec = {name: spec.name, ...params} as PolicySpec;
  createPolicy(policySpec); // a bad name or parameter fails here, not in the middle of a run
  const drafter = spec.name === "off" ? undefined : spec.drafter ?? BENCH_DRAFTER;
  const lookupChoice = spec.lookupChoice;
  const label = policyLabel(spec.name, params, drafter, lookupChoice);
  return {
    label,
    policy: spec.name,
    params,
    ...(drafter ? {drafter} : {}),
    ...(lookupChoice ? {lookupChoice} : {}),
    needsDraftModel: spec.name !== "off" && drafter !== "lookup",
    countsRounds: true,
    baseline: spec.name === "off",
    // The default AdaEDL; variants (added with --policy) have labels of their own.
    tracesLambda: label === "adaedl",
    open(engine, scope) {
      // One policy object per pass over the tasks: what it adapts (AdaEDL's λ) carries from task to task.
      let policy: DraftPolicy | undefined;
      return {
        beginPass() {
          policy = undefined;
        },
        async run({prompt, continuesAt, sampling, clock}) {
          policy ??= createPolicy(policySpec);
          const report = await engine.experiment(prompt, {...sampling, drafter, lookupChoice},
            {policy, recordStats: false, continuesAt, learningScope: scope, clock});
          return {rounds: report.rounds};
        }
      };
    }
  };
}

function policyLabel(name: PolicyName, params: BenchParams, drafter: DrafterSetting | undefined, lookupChoice: LookupChoice | undefined): string {
  const base = paramsLabel(name, params);
  const choice = lookupChoice === "vote" ? "(vote)" : "";
  if (drafter === "lookup") return `${base === "costAware" ? "lookup" : `lookup/${base}`}${choice}`;
  if (drafter === "both") return `${base}+lookup${choice}`;
  if (drafter === "auto") return `${base}+auto${choice}`;
  return base;
}
