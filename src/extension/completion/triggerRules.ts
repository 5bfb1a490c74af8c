// Where an automatic completion is not wanted: in the middle of a word (the user is editing an
// identifier, not writing new code) and before more than a few characters on the same line (a
// completion would have to fit between them). An explicit request (the user asked) skips both.
import type {RequestReason} from "./requestOutcome";

export interface TriggerRules {
  /** Trigger automatically when the cursor is directly followed by an identifier character. */
  midWord: boolean;
  /** Most characters right of the cursor on its line (trailing whitespace not counted) for an automatic trigger. */
  maxCharsRight: number;
}

/** A letter, digit, `_` or `$` in any script: what continues an identifier in the languages Draftstop sees. */
const IDENTIFIER_CHARACTER = /^[\p{L}\p{N}\p{Mn}\p{Mc}_$]/u;

/** Why an automatic request at a cursor followed by `lineSuffix` should show nothing, or undefined when it may complete. */
export function automaticTriggerBlock(lineSuffix: string, rules: TriggerRules): Extract<RequestReason, "midWord" | "textRightOfCursor"> | undefined {
  if (!rules.midWord && IDENTIFIER_CHARACTER.test(lineSuffix)) return "midWord";
  if (lineSuffix.trimEnd().length > rules.maxCharsRight) return "textRightOfCursor";
  return undefined;
}
