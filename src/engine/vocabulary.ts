// Draft and target must share a tokenizer: the draft's token ids are fed to the target as they are.
// Same check as llama.cpp's speculative example: same vocabulary type, same BOS/EOS, sizes within
// 128 (models pad their vocabularies differently), identical token text from id 5 on (ids 0–4 are
// often special tokens that differ harmlessly).
import {VocabularyMismatchError} from "./errors";
import type {GgufFileInfo} from "./nlc";

const MAX_SIZE_DIFFERENCE = 128;
const FIRST_COMPARED_TOKEN = 5;

interface VocabularyFacts {
  type: unknown;
  bos: unknown;
  eos: unknown;
  tokens: readonly string[];
}

export function vocabularyFacts(info: GgufFileInfo): VocabularyFacts {
  const ggml = ((info.metadata as unknown as {tokenizer?: {ggml?: Record<string, unknown>}}).tokenizer?.ggml ?? {});
  return {
    type: ggml.model,
    bos: ggml.bos_token_id,
    eos: ggml.eos_token_id,
    tokens: (ggml.tokens as string[] | undefined) ?? []
  };
}

/** Throws VocabularyMismatchError naming both files and the first difference. */
export function checkVocabularyCompatibility(targetPath: string, target: GgufFileInfo, draftPath: string, draft: GgufFileInfo): void {
  const t = vocabularyFacts(target);
  const d = vocabularyFacts(draft);
  const mismatch = (what: string) => new VocabularyMismatchError(targetPath, draftPath, what);
  if (t.type !== d.type) throw mismatch(`vocabulary types differ (target ${String(t.type)}, draft ${String(d.type)})`);
  if (t.bos !== d.bos) throw mismatch(`BOS tokens differ (target ${String(t.bos)}, draft ${String(d.bos)})`);
  if (t.eos !== d.eos) throw mismatch(`EOS tokens differ (target ${String(t.eos)}, draft ${String(d.eos)})`);
  if (Math.abs(t.tokens.length - d.tokens.length) > MAX_SIZE_DIFFERENCE)
    throw mismatch(`vocabulary sizes differ by more than ${MAX_SIZE_DIFFERENCE} (target ${t.tokens.length}, draft ${d.tokens.length})`);
  const shared = Math.min(t.tokens.length, d.tokens.length);
  for (let id = FIRST_COMPARED_TOKEN; id < shared; id++)
    if (t.tokens[id] !== d.tokens[id])
      throw mismatch(`token ${id} differs (target ${JSON.stringify(t.tokens[id])}, draft ${JSON.stringify(d.tokens[id])})`);
}
