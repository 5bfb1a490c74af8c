// A target/draft pair of Markov-chain models with known transition matrices, written to a temp
// folder in milliseconds, deterministically from a seed.
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {markovVocabulary, MarkovVocabulary, writeMarkovModel} from "../../fixtures/gguf/markovModel";
import {Prng} from "../../../src/engine/decoding/sampling";
import {FIM_LAYOUTS_KEY} from "../../../src/engine/prompt/fim";
import {arr} from "../../../src/lab/modelmaker/ggufWriter";

export type Matrix = Array<Map<number, number>>;

export interface MarkovPair {
  dir: string;
  targetPath: string;
  draftPath: string;
  vocabulary: MarkovVocabulary;
  /** Tokens the chains move between ("a".."h" by default, plus EOS when eosProbability > 0). */
  symbols: number[];
  P: Matrix;
  Q: Matrix;
  cleanup(): void;
}

export interface MarkovPairOptions {
  seed?: number;
  /** Characters the chains use. Default "abcdefgh". */
  alphabet?: string;
  /** Weight of the target's own row in the draft's: Q = mix·P + (1 − mix)·noise. Default 0.6. */
  draftMix?: number;
  /** Probability of EOS from every symbol. Default 0. */
  eosProbability?: number;
  /** Sharpness of the random rows (higher: more peaked). Default 2. */
  sharpness?: number;
  /**
   * Extra weight on one successor per symbol, along a random cycle through the alphabet, so that
   * greedy paths visit every symbol instead of settling in a self-loop. Default 0.
   */
  cycleBoost?: number;
  /** FIM layouts both models declare (Draftstop's GGUF key); default: none declared. */
  fimLayouts?: string[];
}

export function makeMarkovPair(options: MarkovPairOptions = {}): MarkovPair {
  const {seed = 1, alphabet = "abcdefgh", draftMix = 0.6, eosProbability = 0, sharpness = 2, cycleBoost = 0, fimLayouts} = options;
  const vocabulary = markovVocabulary();
  const prng = new Prng(seed);
  const symbols = [...alphabet].map(c => vocabulary.idOf(c));
  const randomRow = () => {
    const weights = symbols.map(() => Math.exp(sharpness * 2 * (prng.uniform() - 0.5) * 2));
    const sum = weights.reduce((a, b) => a + b, 0);
    return weights.map(w => w / sum);
  };
  const toRow = (weights: number[]) => {
    const row = new Map<number, number>();
    symbols.forEach((s, i) => row.set(s, weights[i]! * (1 - eosProbability)));
    if (eosProbability > 0) row.set(vocabulary.eos, eosProbability);
    return row;
  };
  const order = symbols.map((_, i) => i).sort(() => prng.uniform() - 0.5);
  const successor = new Map(order.map((s, i) => [symbols[s]!, order[(i + 1) % order.length]!]));
  const P: Matrix = [];
  const Q: Matrix = [];
  for (let from = 0; from < vocabulary.texts.length; from++) {
    const p = randomRow();
    const boosted = successor.get(from);
    if (boosted !== undefined && cycleBoost > 0) {
      p[boosted] = p[boosted]! + cycleBoost;
      const sum = p.reduce((a, b) => a + b, 0);
      p.forEach((x, i) => (p[i] = x / sum));
    }
    const noise = randomRow();
    P.push(toRow(p));
    Q.push(toRow(p.map((x, i) => draftMix * x + (1 - draftMix) * noise[i]!)));
  }
  const dir = mkdtempSync(join(tmpdir(), "draftstop-markov-"));
  const targetPath = join(dir, "target.gguf");
  const draftPath = join(dir, "draft.gguf");
  const metadataOverrides = fimLayouts ? {[FIM_LAYOUTS_KEY]: arr("string", fimLayouts)} : undefined;
  writeMarkovModel(targetPath, {transitions: P, name: "markov-target", metadataOverrides});
  writeMarkovModel(draftPath, {transitions: Q, name: "markov-draft", metadataOverrides});
  return {dir, targetPath, draftPath, vocabulary, symbols, P, Q, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}
