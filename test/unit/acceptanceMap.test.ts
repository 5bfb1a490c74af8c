// The calibrated acceptance map against a Markov test model whose acceptance in each entropy bin is
// known in closed form. Each state s has a draft distribution q_s = (1 − ε_s, ε_s/63, …) over 64
// tokens and a target distribution p_s = (1 − 2ε_s, 2ε_s/63, …), so a drafted token (d ~ q_s,
// accepted with probability min(1, p_s(d)/q_s(d))) is accepted with probability
// Σ min(p_s, q_s) = 1 − ε_s exactly. ε_s is chosen so that H(q_s) lies in the middle of one bin.
// States follow a sticky Markov chain within a round, and a round stops judging at its first
// rejection: the later drafts are censored.
import assert from "node:assert/strict";
import {AcceptanceMap, nonIncreasing} from "../../src/engine/drafting/acceptanceMap";
import {acceptanceBound} from "../../src/engine/drafting/policies";
import {Prng} from "../../src/engine/decoding/sampling";
import {ENTROPY_EDGES} from "../../src/engine/stats/entropyBins";

const V = 64;
const entropyOf = (eps: number) => -(1 - eps) * Math.log(1 - eps) - eps * Math.log(eps / (V - 1));

function epsilonFor(entropy: number): number {
  let lo = 1e-9, hi = 0.5;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (entropyOf(mid) < entropy) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

interface State {
  entropy: number;
  eps: number;
  acceptance: number;
}

/** One state per bin whose middle entropy a q of this family can reach (ε ≤ 0.5). */
function states(): State[] {
  const out: State[] = [];
  for (let b = 0; b + 1 < ENTROPY_EDGES.length; b++) {
    const entropy = (ENTROPY_EDGES[b]! + ENTROPY_EDGES[b + 1]!) / 2;
    if (entropy > entropyOf(0.5)) break;
    const eps = epsilonFor(entropy);
    out.push({entropy, eps, acceptance: 1 - eps});
  }
  return out;
}

/** d ~ q_s and accepted with probability min(1, p_s(d)/q_s(d)). */
function drafted(state: State, prng: Prng): boolean {
  const head = prng.uniform() < 1 - state.eps;
  const ratio = head ? (1 - 2 * state.eps) / (1 - state.eps) : 2; // p/q on the head token and on any tail token
  return prng.uniform() < Math.min(1, ratio);
}

function simulate(map: AcceptanceMap, rounds: number, seed: number) {
  const all = states();
  const prng = new Prng(seed);
  const naive = all.map(() => ({trials: 0, accepted: 0}));
  let s = Math.floor(prng.uniform() * all.length);
  for (let r = 0; r < rounds; r++) {
    const entropies: number[] = [];
    const visited: number[] = [];
    let accepted = 0, rejected = false;
    for (let i = 0; i < 8; i++) {
      if (prng.uniform() > 0.6) s = Math.floor(prng.uniform() * all.length);
      entropies.push(all[s]!.entropy);
      visited.push(s);
      if (!rejected && drafted(all[s]!, prng)) accepted++;
      else rejected = true;
    }
    map.observeRound(entropies, accepted);
    // What an estimator that ignores censoring would count: every draft a trial.
    visited.forEach((state, i) => {
      naive[state]!.trials++;
      if (i < accepted) naive[state]!.accepted++;
    });
  }
  return {all, naive};
}

describe("calibrated acceptance map", () => {
  it("starts as AdaEDL's bound 1 − sqrt(γ·H), for the γ it is given", () => {
    for (const gamma of [0.2, 0.05]) {
      const map = new AcceptanceMap({gamma});
      for (const h of [0.025, 0.4, 1.25, 2.5]) assert.ok(Math.abs(map.estimate(h) - Math.max(0.001, acceptanceBound(gamma, h))) < 1e-12, `γ ${gamma}, H ${h}`);
    }
  });

  it("learns each bin's acceptance within its confidence interval, censored drafts left out", () => {
    const map = new AcceptanceMap({maxEvidence: 1e9});
    const {all, naive} = simulate(map, 20_000, 7);
    assert.ok(all.length >= 8, `the model covers ${all.length} bins`);
    let naiveOutside = 0;
    for (const [i, state] of all.entries()) {
      const bin = map.bins().find(b => state.entropy >= b.lo && state.entropy < b.hi)!;
      assert.ok(bin.judged > 500, `bin ${bin.lo}–${bin.hi} saw ${bin.judged} judged drafts`);
      const halfWidth = 3.3 * Math.sqrt(state.acceptance * (1 - state.acceptance) / bin.judged) + 4 / bin.judged;
      const learned = map.estimate(state.entropy);
      assert.ok(Math.abs(learned - state.acceptance) <= halfWidth,
        `H ${state.entropy}: learned ${learned.toFixed(4)}, true ${state.acceptance.toFixed(4)} ± ${halfWidth.toFixed(4)}`);
      const biased = naive[i]!.accepted / naive[i]!.trials;
      if (Math.abs(biased - state.acceptance) > halfWidth) naiveOutside++;
    }
    assert.ok(naiveOutside >= all.length - 1, `counting censored drafts as rejections misses the truth in ${naiveOutside} of ${all.length} bins`);
  });

  it("reads optimistically while evidence is thin, less so as it grows", () => {
    const map = new AcceptanceMap();
    const gap = () => map.optimistic(2.5) - map.estimate(2.5);
    const before = gap();
    assert.ok(before > 0.3, `without evidence the optimistic reading is ${before.toFixed(3)} above the bound`);
    for (let i = 0; i < 200; i++) map.observe(2.5, i % 2 === 0);
    assert.ok(gap() > 0 && gap() < 0.08, `after 200 judged drafts: ${gap().toFixed(3)}`);
  });

  it("forgets old evidence so that it follows a change, and keeps what it learned through state()", () => {
    const map = new AcceptanceMap({maxEvidence: 200});
    for (let i = 0; i < 2000; i++) map.observe(0.4, true);
    assert.ok(map.estimate(0.4) > 0.98);
    for (let i = 0; i < 600; i++) map.observe(0.4, i % 2 === 0);
    assert.ok(Math.abs(map.estimate(0.4) - 0.5) < 0.1, `after the change: ${map.estimate(0.4)}`);
    const copy = new AcceptanceMap({maxEvidence: 200}, map.state());
    assert.deepEqual(copy.bins(), map.bins());
    const invalid = new AcceptanceMap({}, {judged: [1, 2], accepted: [5, 5]});
    assert.equal(invalid.evidence, 0, "a malformed saved state is ignored");
  });

  it("reads acceptance as non-increasing in entropy (pool adjacent violators)", () => {
    assert.deepEqual(nonIncreasing([0.9, 0.5, 0.7, 0.2], [1, 1, 1, 1]), [0.9, 0.6, 0.6, 0.2]);
    const pooled = nonIncreasing([0.2, 0.8], [3, 1]);
    assert.ok(pooled.length === 2 && pooled.every(x => Math.abs(x - 0.35) < 1e-12), `weighted pool: ${pooled}`);
  });
});
