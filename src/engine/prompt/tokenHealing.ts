// Token healing for prefix-only prompts. A cursor rarely sits on a token boundary the model would
// have chosen: after "const dy = " the prompt ends in a lone " " token, after an indent in a run of
// spaces, and a model that never saw such an ending answers with a line break (SmolLM2-135M did at
// most whole-line cuts). Healing takes the prompt's last token back and lets the first generated
// token be any token whose text starts with the text taken back, so the model chooses the boundary.
// The shown completion leaves that text out again: it is already in the document.
//
// Exactness: the first token is drawn from the target's distribution restricted to those tokens
// (argmax when greedy, a sample of the renormalised restriction at T > 0), and everything after it
// is ordinary speculative decoding, so the output is the target's own, conditioned on healing.
import type {Distribution} from "../distribution";
import type {LlamaModel, Token} from "../nlc";
import {vocabularyFacts} from "../vocabulary";

export interface HealedPrompt {
  /** The prompt without its last token. */
  tokens: Token[];
  /** The text of the token taken back; the completion starts with it. */
  healed: string;
  /** Tokens the first generated token may be: their text is `healed` followed by no line break. */
  allowed: ReadonlySet<Token>;
}

const tokenTexts = new WeakMap<LlamaModel, string[]>();

/** Every token's text, made once per model (49 152 tokens take about 50 ms). */
function textsOf(model: LlamaModel): string[] {
  let texts = tokenTexts.get(model);
  if (!texts) {
    texts = [];
    const size = vocabularyFacts(model.fileInfo).tokens.length;
    for (let id = 0; id < size; id++) texts.push(model.detokenize([id as Token], false));
    tokenTexts.set(model, texts);
  }
  return texts;
}

/**
 * The healed form of a prompt, or undefined when there is nothing to heal: a prompt of one token,
 * a special last token (no text), or no other token that starts with its text. The first token may
 * not add a line break: a healed "\n    " must go on with code on that line, not end it (which
 * is what an unhealed model tends to do there).
 */
export function healPrompt(model: LlamaModel, tokens: readonly Token[], keepFirst: number): HealedPrompt | undefined {
  if (tokens.length <= keepFirst + 1) return undefined;
  const last = tokens.at(-1)!;
  const healed = model.detokenize([last], false);
  if (healed === "") return undefined;
  const texts = textsOf(model);
  const allowed = new Set<Token>();
  texts.forEach((text, id) => {
    if (text.startsWith(healed) && !/[\r\n]/.test(text.slice(healed.length))) allowed.add(id as Token);
  });
  if (allowed.size <= 1) return undefined;
  return {tokens: tokens.slice(0, -1), healed, allowed};
}

/** `distribution` restricted to `allowed` and renormalised; empty when it gives them no mass. */
export function restrict(distribution: Distribution, allowed: ReadonlySet<Token>): Map<Token, number> {
  const kept = new Map<Token, number>();
  let mass = 0;
  for (const [token, p] of distribution)
    if (allowed.has(token) && p > 0) {
      kept.set(token, p);
      mass += p;
    }
  for (const [token, p] of kept) kept.set(token, p / mass);
  return kept;
}
