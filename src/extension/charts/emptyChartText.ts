// The sentence shown instead of a chart with nothing to plot, saying why it is empty: a new user
// should not have to guess whether the panel is broken or the data just is not there yet.
import type {DraftSources} from "../../engine/drafting/drafters";
import type {StatsTotals} from "../../engine/stats/roundRecord";

export type RoundCounts = Pick<StatsTotals, "rounds" | "lookupRounds" | "drafted" | "lookupDrafted">;

export interface DraftModelState {
  /** Which drafters may draft (engine/drafting/drafters.ts draftSources: settings, loaded models and policy together). */
  sources: DraftSources;
  /** The policy has the draft model idle (the cost-aware rule, when speculation has not been paying). */
  idle: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why the acceptance-vs-entropy chart has no point: no round drafted a token from the draft model. */
export function noEntropyAcceptanceText(counts: RoundCounts | undefined, draft: DraftModelState): string {
  const rounds = counts?.rounds ?? 0;
  if (rounds === 0) return "No drafted tokens yet: no completion has run a round.";
  const lookupRounds = counts!.lookupRounds;
  const targetOnly = rounds - lookupRounds;
  const lookup = lookupRounds > 0 ? `${lookupRounds === rounds ? "all " : ""}${plural(lookupRounds, "round")}${lookupRounds === rounds ? "" : ` of ${rounds}`} drafted by lookup (copied text has no draft entropy)` : "";
  const why = draft.sources === "none" ? "drafting is off"
    : draft.sources === "lookup" ? "the draft model is not in use: none is loaded, or the drafter setting is lookup"
    : draft.idle ? "the draft model is idle because speculation with it has not been paying" : "the policy drafted nothing";
  const alone = targetOnly > 0 ? `${targetOnly === rounds ? "all " : ""}${plural(targetOnly, "round")}${targetOnly === rounds ? "" : ` of ${rounds}`} ran the target alone (${why})` : "";
  const prefix = counts!.drafted > 0 ? "No tokens from the draft model yet" : "No drafted tokens yet";
  return `${prefix}: ${[lookup, alone].filter(Boolean).join("; ")}.`;
}

/** Why the session's speed-up line has no point. */
export function noSpeedupText(completions: number): string {
  return completions === 0 ? "No completions yet: the line starts with the first one."
    : "No speed-up yet: what one target token costs, which it is measured against, is not known yet.";
}

export function noDraftLengthsText(): string {
  return "No rounds yet: no completion has run.";
}

/** Why there is no λ trace: nothing ran yet, or the policy keeps no threshold. */
export function noLambdaText(policy: string | undefined, rounds: number): string {
  if (policy !== undefined && policy !== "adaedl" && policy !== "costAware") return `No λ: the ${policy} policy keeps no threshold (adaedl and costAware do).`;
  return rounds === 0 ? "No λ yet: no completion has run a round." : "No λ yet: no round has recorded one.";
}

export function noCalibrationText(what: string): string {
  return `No ${what} yet: the models are not loaded.`;
}
