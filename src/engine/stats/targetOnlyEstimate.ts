// What target-only decoding would have spent on a generation's tokens: the baseline of the speed-up
// the status bar and panel show. A round that drafted nothing is a target-only step (one pass over
// one token and the loop around it), so it counts at its own measured time, less the time spent
// deciding not to draft. A round that drafted counts its tokens at what a target-only step costs
// now: the cost model's level and a round's overhead (medians, which a GC pause cannot move),
// scaled by the mean of recent target-only steps over their median. Those steps are skewed: on
// SmolLM2 with one CPU thread their median was 22.9 ms and their mean 26.5 ms (the first round
// after a prompt took 52 ms, one in ten over 36 ms), and a baseline of medians alone read
// target-only decoding itself as 0.90× (docs/algorithm.md, "The speed-up figure").
import type {RoundRecord} from "./roundRecord";

/** A target-only step's time in a round that drafted nothing: what it spent, less drafting and deciding. */
export function targetOnlyStepMs(round: Pick<RoundRecord, "totalMs" | "draftMs" | "entropyMs">): number {
  return Math.max(0, round.totalMs - round.draftMs - round.entropyMs);
}

/** Σ over the rounds: a round without drafts at its own target-only step, a drafted one at `perTokenMs` a token. */
export function targetOnlyMs(rounds: readonly Pick<RoundRecord, "drafted" | "emitted" | "totalMs" | "draftMs" | "entropyMs">[], perTokenMs: number): number {
  return rounds.reduce((sum, round) => sum + (round.drafted === 0 ? targetOnlyStepMs(round) : round.emitted * perTokenMs), 0);
}

/** Fewer recent target-only steps than this: no skew is read (1). */
export const SKEW_MIN_STEPS = 8;

/** mean ÷ median of recent target-only steps, within [1, 3]; 1 with fewer than SKEW_MIN_STEPS. */
export function stepSkew(steps: {size: number; mean(): number; median(): number}): number {
  if (steps.size < SKEW_MIN_STEPS) return 1;
  const ratio = steps.mean() / steps.median();
  return Number.isFinite(ratio) ? Math.min(3, Math.max(1, ratio)) : 1;
}
