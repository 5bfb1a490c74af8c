// Fill-in-the-middle prompts from the text around the cursor, in the layouts a model was trained
// on. PSM (prefix, suffix, middle) is what most code models and node-llama-cpp use; SPM (suffix
// first) keeps the suffix's tokens in the KV cache while the user types at the cursor, so a
// keystroke costs only the changed end of the prefix instead of the prefix end plus the whole suffix.
import {ExtraContextInput, MultiFileFormat, renderExtraContext} from "./extraContext/render";
import type {LlamaModel, Token} from "../nlc";

export type FimLayout = "psm" | "spm";
export const FIM_LAYOUTS: readonly FimLayout[] = ["psm", "spm"];

/** GGUF key in which Draftstop's own models list the FIM layouts they were trained on. */
export const FIM_LAYOUTS_KEY = "draftstop.fim_layouts";

export interface FimInput {
  prefix: string;
  suffix: string;
  /** Chunks of other files, put after BOS and before the FIM part (prompt/extraContext/render.ts). */
  extraContext?: ExtraContextInput;
}

export interface FimPromptOptions {
  /** Default: the first layout the model supports (see supportedFimLayouts). */
  layout?: FimLayout;
  /** Token budget; the prefix keeps its end and the suffix its start when cut. Default: no limit. */
  maxTokens?: number;
  /** Share of a tight budget given to the prefix. Default 0.75. */
  prefixShare?: number;
}

export interface FimPrompt {
  tokens: Token[];
  /** "prefixOnly" when the model has no FIM tokens. */
  layout: FimLayout | "prefixOnly";
  /** Index in `tokens` right after the prefix's last token: the middle continues from there. */
  continuesAt: number;
  /** Prefix and suffix tokens left out to fit the budget. */
  droppedPrefixTokens: number;
  droppedSuffixTokens: number;
  /** What the extra context became; `tokens` of it follow BOS. Absent when the input had none. */
  extraContext?: {tokens: number; format: MultiFileFormat; paths: string[]; droppedChunks: number};
}

export function hasFimTokens(model: LlamaModel): boolean {
  const {prefix, suffix, middle} = model.tokens.infill;
  return prefix != null && suffix != null && middle != null;
}

/** Layouts the model was trained on: Draftstop's metadata key, else PSM, the common one. */
export function supportedFimLayouts(model: LlamaModel): FimLayout[] {
  if (!hasFimTokens(model)) return [];
  const declared = (model.fileInfo.metadata as unknown as {draftstop?: {fim_layouts?: unknown}}).draftstop?.fim_layouts;
  const layouts = Array.isArray(declared) ? FIM_LAYOUTS.filter(l => declared.includes(l)) : [];
  return layouts.length > 0 ? layouts : ["psm"];
}

export function buildFimPrompt(model: LlamaModel, input: FimInput, options: FimPromptOptions = {}): FimPrompt {
  const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
  // specialTokens = false: text such as "<|fim_middle|>" inside the user's file stays text.
  let prefix = model.tokenize(input.prefix, false);
  let suffix = model.tokenize(input.suffix, false);
  const layouts = supportedFimLayouts(model);
  const layout = options.layout && layouts.includes(options.layout) ? options.layout : layouts[0];
  const fixed = bos.length + (layout ? 3 : 0);
  const total = options.maxTokens === undefined ? Infinity : Math.max(1, options.maxTokens - fixed);
  // The text at the cursor comes first: extra context gets at most half of a tight budget.
  const extra = input.extraContext && input.extraContext.chunks.length > 0
    ? renderExtraContext(model, {...input.extraContext, maxTokens: Math.min(input.extraContext.maxTokens, Math.floor(total / 2))})
    : undefined;
  const head = [...bos, ...(extra?.tokens ?? [])];
  const budget = Math.max(1, total - (extra?.tokens.length ?? 0));
  const available = layout ? suffix.length : 0;
  const prefixShare = options.prefixShare ?? 0.75;

  let keepSuffix = Math.min(available, Math.max(Math.floor(budget * (1 - prefixShare)), budget - prefix.length));
  const keepPrefix = Math.min(prefix.length, budget - keepSuffix);
  keepSuffix = Math.min(available, budget - keepPrefix);
  const droppedPrefixTokens = prefix.length - keepPrefix;
  const droppedSuffixTokens = suffix.length - keepSuffix;
  prefix = prefix.slice(prefix.length - keepPrefix);
  suffix = suffix.slice(0, keepSuffix);
  const extraContext = extra && {tokens: extra.tokens.length, format: extra.format, paths: extra.paths, droppedChunks: extra.droppedChunks};

  if (!layout) return {tokens: [...head, ...prefix], layout: "prefixOnly", continuesAt: head.length + prefix.length, droppedPrefixTokens, droppedSuffixTokens, extraContext};
  const {prefix: PRE, suffix: SUF, middle: MID} = model.tokens.infill as {prefix: Token; suffix: Token; middle: Token};
  const tokens = layout === "psm"
    ? [...head, PRE, ...prefix, SUF, ...suffix, MID]
    : [...head, SUF, ...suffix, PRE, ...prefix, MID];
  return {tokens, layout, continuesAt: layout === "psm" ? head.length + 1 + prefix.length : tokens.length - 1, droppedPrefixTokens, droppedSuffixTokens, extraContext};
}
