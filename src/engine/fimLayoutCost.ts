// What one keystroke at the cursor costs in each FIM layout, measured with the loaded models.
// In PSM ([PRE] prefix [SUF] suffix [MID]) a character typed at the end of the prefix changes every
// token after it, so the whole suffix is evaluated again; in SPM ([SUF] suffix [PRE] prefix [MID])
// only the prefix's last tokens are. The model decides which layouts are possible; this decides
// which of those is cheaper here.
import {median} from "./stats/median";
import type {DraftstopEngine} from "./engine";
import type {FimLayout} from "./prompt/fim";

export interface LayoutCost {
  /** Tokens evaluated per keystroke on the target (prefill after a one-character edit). */
  tokensPerKeystroke: number;
  /** Wall time of that prefill, ms (median over the keystrokes). */
  msPerKeystroke: number;
}

export interface FimLayoutMeasurement {
  chosen: FimLayout;
  costs: Partial<Record<FimLayout, LayoutCost>>;
}

const SAMPLE_PREFIX = "export function total(items) {\n  let sum = 0;\n  for (const item of items) {\n    sum += item.price * item.count;\n  }\n  return s";
const SAMPLE_SUFFIX = ";\n}\n\nexport function average(items) {\n  return items.length ? total(items) / items.length : 0;\n}\n";
const KEYSTROKES = "um + 0";

export async function measureFimLayouts(engine: DraftstopEngine, layouts: readonly FimLayout[],
  sample = {prefix: SAMPLE_PREFIX.repeat(3), suffix: SAMPLE_SUFFIX.repeat(3)}): Promise<FimLayoutMeasurement> {
  if (layouts.length === 0) throw new Error("the target model has no FIM tokens, so there is no layout to measure");
  const costs: Partial<Record<FimLayout, LayoutCost>> = {};
  for (const layout of layouts) {
    const generateAt = (prefix: string) => engine.generateInfill({prefix, suffix: sample.suffix, layout}, {maxTokens: 1});
    await generateAt(sample.prefix); // warm: this prompt's tokens are now in both caches
    const evaluated: number[] = [];
    const ms: number[] = [];
    let prefix = sample.prefix;
    for (const character of KEYSTROKES) {
      prefix += character;
      const {prefill} = await generateAt(prefix);
      evaluated.push(prefill.targetEvaluated);
      ms.push(prefill.ms);
    }
    costs[layout] = {tokensPerKeystroke: mean(evaluated), msPerKeystroke: median(ms)};
  }
  const chosen = layouts.reduce((best, layout) => cheaper(costs[layout]!, costs[best]!) ? layout : best, layouts[0]!);
  return {chosen, costs};
}

function cheaper(a: LayoutCost, b: LayoutCost): boolean {
  // Token counts decide (timings of a few ms are noisy); time only breaks ties.
  return a.tokensPerKeystroke !== b.tokensPerKeystroke ? a.tokensPerKeystroke < b.tokensPerKeystroke : a.msPerKeystroke < b.msPerKeystroke;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
