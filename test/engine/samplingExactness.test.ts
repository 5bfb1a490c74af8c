// Speculative sampling must produce exactly the target's distribution (Leviathan et al. 2023).
// On Markov-chain models the target's next-token distribution given the previous token is known in
// closed form, so every generated token is one observation of a known distribution: a pooled χ²
// test over all (previous token → token) transitions checks the whole process, tokens after
// rejections and bonus tokens included. The same counts are also tested against a distribution
// with a 2 % bias (total variation 0.02 in every row) to show the sample is large enough to see
// one, and a deliberately broken verification rule is shown to fail the test.
import assert from "node:assert/strict";
import {createPolicy, PolicySpec, resolveGenerateOptions} from "../../src/engine";
import {Distribution} from "../../src/engine/distribution";
import {disposeModel, LoadedModel, LoadedPair, loadModelPair} from "../../src/engine/modelPair";
import type {Token} from "../../src/engine/nlc";
import {sample} from "../../src/engine/decoding/sampling";
import {rejectionSampling, SampledAcceptance, SpeculativeDecoder} from "../../src/engine/decoding/speculative";
import {chiSquare, ChiSquareResult, countTransition, Counts} from "./helpers/chiSquare";
import {AGREEMENTS, LookupAcceptance} from "../../src/engine/drafting/lookupAcceptance";
import {LookupDrafter, lookupGates} from "../../src/engine/drafting/lookupDrafter";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

interface Setting {
  temperature: number;
  topK: number;
  /** Default 1 and 0: no truncation. */
  topP?: number;
  minP?: number;
  policy: PolicySpec;
  /** Drafts from lookup only (q a point mass on each drafted token), the draft model idle. */
  lookup?: boolean;
}

/**
 * node-llama-cpp's sampler chain on a Markov row (AddonSampler.cpp, in this order): top-k; top-p
 * on the T = 1 probabilities of what is left, keeping the smallest head whose mass reaches topP
 * (the token that crosses it included); min-p, keeping tokens at least minP × the top one; then
 * temperature, renormalised.
 */
function sampledRow(row: ReadonlyMap<number, number>, {temperature, topK, topP = 1, minP = 0}: Setting): Map<number, number> {
  let entries = [...row].sort((a, b) => b[1] - a[1]).slice(0, topK > 0 ? topK : undefined);
  if (topP < 1) {
    const total = entries.reduce((s, [, p]) => s + p, 0);
    let mass = 0;
    const keep = entries.findIndex(([, p]) => (mass += p / total) >= topP);
    if (keep >= 0) entries = entries.slice(0, keep + 1);
  }
  if (minP > 0) entries = entries.filter(([, p]) => p >= minP * entries[0]![1]);
  const tempered = entries.map(([t, p]) => [t, Math.pow(p, 1 / temperature)] as [number, number]);
  const sum = tempered.reduce((s, [, p]) => s + p, 0);
  return new Map(tempered.map(([t, p]) => [t, p / sum]));
}

/** Moves 0.02 of probability from each row's most to its least likely token: total variation 0.02. */
function biased(row: ReadonlyMap<number, number>): Map<number, number> {
  const entries = [...row].sort((a, b) => b[1] - a[1]);
  const result = new Map(entries);
  result.set(entries[0]![0], entries[0]![1] - 0.02);
  result.set(entries.at(-1)![0], entries.at(-1)![1] + 0.02);
  return result;
}

interface Observation {
  counts: Counts;
  /** Drafted tokens whose acceptance was decided (all accepted ones and the first rejected one of a round). */
  tested: number;
  accepted: number;
  drafted: number;
  rounds: number;
  /** Σ over tested tokens of Σ_v min(p(v|c), q(v|c)) for the token's context c. */
  expectedAccepted: number;
  expectedVariance: number;
}

describe("sampling exactness of speculative decoding", function () {
  this.timeout(600_000);
  let pair: MarkovPair;
  let loaded: LoadedPair;

  before(async () => {
    pair = makeMarkovPair({seed: 21, alphabet: "abcd", draftMix: 0.45, sharpness: 1.5});
    loaded = await loadModelPair({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
  });

  after(async () => {
    if (loaded) await Promise.all([disposeModel(loaded.target), loaded.draft && disposeModel(loaded.draft)]);
    pair?.cleanup();
  });

  const side = (m: LoadedModel) => ({model: m.model, sequence: m.sequence, contextSize: m.context.contextSize});

  async function observe(setting: Setting, generations: number, rule: SampledAcceptance = rejectionSampling): Promise<Observation> {
    const decoder = new SpeculativeDecoder(side(loaded.target), side(loaded.draft!), rule);
    const policy = createPolicy(setting.policy);
    // Verification pinned as free, so that every proposal the index has is drafted in full: on
    // this four-letter chain almost every round has one, accepted or rejected by p(d).
    const lookup = setting.lookup ? new LookupDrafter() : undefined;
    // A gain of 2 earned in, so the gate lets every proposal through.
    lookup?.prepare({acceptance: new LookupAcceptance(), costs: {targetMs: () => 1, draftMs: () => 0}, choice: "recent",
      gates: lookupGates(Object.fromEntries(AGREEMENTS.map(agreement => [agreement, {tokens: 2, time: 1}])))});
    const prompt = loaded.target.model.tokenize("a", false);
    const bos = loaded.target.model.tokens.bos!;
    const observation: Observation = {counts: new Map(), tested: 0, accepted: 0, drafted: 0, rounds: 0, expectedAccepted: 0, expectedVariance: 0};
    const p = (c: number) => sampledRow(pair.P[c]!, setting);
    const q = (c: number) => sampledRow(pair.Q[c]!, setting);
    const overlap = new Map<number, number>();
    const alpha = (c: number) => {
      if (!overlap.has(c)) {
        const pc = p(c), qc = q(c);
        overlap.set(c, [...pc].reduce((s, [t, pt]) => s + Math.min(pt, qc.get(t) ?? 0), 0));
      }
      return overlap.get(c)!;
    };
    for (let seed = 0; seed < generations; seed++) {
      const options = resolveGenerateOptions({maxTokens: 64, temperature: setting.temperature, topK: setting.topK, topP: setting.topP ?? 1,
        minP: setting.minP ?? 0, seed, stopOnEog: false});
      const result = await decoder.generate([bos, ...prompt], policy, options, {lookup, modelDrafts: !lookup});
      let previous = prompt.at(-1)!;
      for (const round of result.rounds) {
        const contexts = [previous, ...round.tokens.slice(0, round.accepted)];
        const tested = round.accepted + (round.accepted < round.drafted ? 1 : 0);
        for (const c of contexts.slice(0, tested)) {
          observation.expectedAccepted += alpha(c);
          observation.expectedVariance += alpha(c) * (1 - alpha(c));
        }
        observation.tested += tested;
        observation.accepted += round.accepted;
        observation.drafted += round.drafted;
        observation.rounds++;
        for (const token of round.tokens) {
          countTransition(observation.counts, previous, token);
          previous = token as Token;
        }
      }
    }
    return observation;
  }

  const settings: Setting[] = [
    {temperature: 1, topK: 0, policy: {name: "static", k: 3}},
    {temperature: 0.7, topK: 3, policy: {name: "adaedl", lambda0: 0.3}},
    {temperature: 0.7, topK: 3, policy: {name: "costAware"}, lookup: true},
    {temperature: 1.5, topK: 0, policy: {name: "costAware"}, lookup: true},
    // What users sample with: the settings' top-k 40 and top-p 0.95, and a min-p.
    {temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, policy: {name: "adaedl", lambda0: 0.1, alpha: 0.3}},
    {temperature: 1, topK: 40, topP: 0.95, minP: 0.02, policy: {name: "costAware"}, lookup: true},
    {temperature: 1, topK: 40, topP: 0.95, minP: 0.05, policy: {name: "static", k: 4}}
  ];

  for (const setting of settings) {
    describe(`temperature ${setting.temperature}, top-k ${setting.topK || "off"}${setting.topP ? `, top-p ${setting.topP}, min-p ${setting.minP}` : ""}, ${setting.lookup ? "lookup drafts" : setting.policy.name}`, () => {
      let observation: Observation;
      let exact: ChiSquareResult;

      before(async () => {
        observation = await observe(setting, 320);
        exact = chiSquare(observation.counts, from => sampledRow(pair.P[from]!, setting));
      });

      it("generates tokens with exactly the target's distribution (χ², p > 0.001)", () => {
        assert.ok(exact.observations >= 20_000, `${exact.observations} transitions observed`);
        assert.ok(exact.pValue > 0.001, `χ² ${exact.statistic.toFixed(1)} on ${exact.dof} dof, p = ${exact.pValue}`);
      });

      if (setting.policy.name === "adaedl" && setting.topP) it("drafts several tokens a round (AdaEDL's multi-token rounds at T > 0)", () => {
        assert.ok(observation.drafted / observation.rounds > 2, `${(observation.drafted / observation.rounds).toFixed(2)} drafted a round`);
      });

      it("has enough samples to catch a 2 % bias", () => {
        const shifted = chiSquare(observation.counts, from => biased(sampledRow(pair.P[from]!, setting)));
        assert.ok(shifted.pValue < 0.001, `χ² against the biased rows ${shifted.statistic.toFixed(1)}, p = ${shifted.pValue}`);
      });

      if (setting.lookup) it("drafted from lookup, accepting some drafts and rejecting others", () => {
        assert.ok(observation.tested > 5000 && observation.accepted > 1000 && observation.tested - observation.accepted > 1000,
          `${observation.accepted} of ${observation.tested} judged lookup drafts accepted`);
      });
      // Σ min(p, q) is the draft model's acceptance; a lookup draft's is p(d), of a d the round does not keep.
      else it("accepts drafts at the rate Σ min(p, q) predicts, within 4 standard errors", () => {
        const {accepted, expectedAccepted, expectedVariance, tested} = observation;
        const z = (accepted - expectedAccepted) / Math.sqrt(expectedVariance);
        assert.ok(tested > 5000, `${tested} drafted tokens tested`);
        assert.ok(Math.abs(z) < 4, `accepted ${accepted} of ${tested}, expected ${expectedAccepted.toFixed(1)} (z = ${z.toFixed(2)})`);
      });
    });
  }

  describe("the test catches broken verification", () => {
    const setting = settings[0]!;

    it("fails when the generation ignores top-p and min-p", async () => {
      const truncated = settings.find(s => s.topP && !s.lookup && s.policy.name === "static")!;
      const untruncated = await observe({...truncated, topP: 1, minP: 0}, 320);
      const result = chiSquare(untruncated.counts, from => sampledRow(pair.P[from]!, truncated));
      assert.ok(result.pValue < 0.001, `sampling without top-p must be detected: p = ${result.pValue}`);
    });

    it("fails when every draft is accepted", async () => {
      const acceptAll: SampledAcceptance = ({drafts, p}, prng) => ({accepted: drafts.length, next: sample(p[drafts.length]!, prng)});
      const broken = await observe(setting, 80, acceptAll);
      const result = chiSquare(broken.counts, from => sampledRow(pair.P[from]!, setting));
      assert.ok(result.pValue < 0.001, `accept-all must be detected: p = ${result.pValue}`);
    });

    it("fails when a rejected lookup draft is replaced by a sample of p, d not removed", async () => {
      const lookupSetting = settings.find(s => s.lookup)!;
      const noResidual: SampledAcceptance = ({drafts, p}, prng) => {
        for (let i = 0; i < drafts.length; i++)
          if (prng.uniform() >= (p[i]!.get(drafts[i]!) ?? 0)) return {accepted: i, next: sample(p[i]! as Distribution, prng)};
        return {accepted: drafts.length, next: sample(p[drafts.length]!, prng)};
      };
      const broken = await observe(lookupSetting, 320, noResidual);
      const result = chiSquare(broken.counts, from => sampledRow(pair.P[from]!, lookupSetting));
      assert.ok(result.pValue < 0.001, `a lookup rejection that can draw d again must be detected: p = ${result.pValue}`);
    });

    it("fails when a rejected draft is replaced by a sample of p instead of the residual", async () => {
      const noResidual: SampledAcceptance = ({drafts, q, p}, prng) => {
        for (let i = 0; i < drafts.length; i++) {
          const ratio = (p[i]!.get(drafts[i]!) ?? 0) / (q[i]!.get(drafts[i]!) as number);
          if (prng.uniform() >= Math.min(1, ratio)) return {accepted: i, next: sample(p[i]! as Distribution, prng)};
        }
        return {accepted: drafts.length, next: sample(p[drafts.length]!, prng)};
      };
      const broken = await observe(setting, 320, noResidual);
      const result = chiSquare(broken.counts, from => sampledRow(pair.P[from]!, setting));
      assert.ok(result.pValue < 0.001, `a missing residual must be detected: p = ${result.pValue}`);
    });
  });
});
