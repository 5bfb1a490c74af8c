import assert from "node:assert/strict";
import type {PassCosts} from "../../src/engine/drafting/costModel";
import {EntropyTransitions} from "../../src/engine/drafting/entropyTransitions";
import {SpeculationGain} from "../../src/engine/drafting/speculationGain";
import {CostAwarePolicy, createPolicy, PolicyEnvironment} from "../../src/engine/drafting/policies";
import type {CostAwareParameters} from "../../src/engine/drafting/costAware";
import {COLD_EXPLORATIONS, ENTRY_ROUNDS} from "../../src/engine/drafting/speculationGate";

/** Pass costs in units of C_t(1): a curve over n and a draft cost. */
function costs(curve: (n: number) => number, draft: number): PassCosts {
  return {targetMs: curve, draftMs: () => draft};
}

const CURVES: Record<string, (n: number) => number> = {
  "2-core CPU": n => 1 + 0.45 * (n - 1),
  "GPU, flat": n => 1 + 0.015 * (n - 1),
  "GPU, a step at 9 tokens": n => (n <= 8 ? 1 + 0.01 * (n - 1) : 1.5 + 0.01 * (n - 1)),
  "convex": n => 1 + 0.1 * (n - 1) + 0.03 * (n - 1) ** 2
};

/** Brute force, written independently of the policy: the k in 0..maxDraft with the highest E(k)/T(k). */
function bruteForce(alphas: readonly number[], c: PassCosts, maxDraft: number): number {
  let best = 0, bestRate = 1 / c.targetMs(1);
  for (let k = 1; k <= maxDraft; k++) {
    let expected = 1;
    for (let j = 1; j <= k; j++) {
      let survive = 1;
      for (let m = 1; m <= j; m++) survive *= alphas[m - 1]!;
      expected += survive;
    }
    const rate = expected / (k * c.draftMs() + c.targetMs(k + 1));
    if (rate > bestRate * (1 + 1e-12)) [best, bestRate] = [k, rate];
  }
  return best;
}

/** Runs the policy's per-token decisions on tokens whose acceptance is alphas[i] (passed as the "entropy"). */
function draftLength(policy: CostAwarePolicy, alphas: readonly number[]): number {
  let k = 0;
  policy.beginRound();
  for (let index = 1; index <= policy.parameters.maxDraft; index++) {
    if (index > 1 && !policy.worthAnotherPass(index)) break;
    if (!policy.shouldDraft({index, entropy: index - 1, topProbability: 0.5, position: 100 + index})) break;
    k = index;
  }
  return k;
}

function environment(c: PassCosts, alphas: readonly number[], gain = new SpeculationGain()): PolicyEnvironment {
  return {costs: c, acceptance: {optimistic: h => alphas[h]!, best: () => Math.max(...alphas)}, gain, transitions: new EntropyTransitions()};
}

/** The same acceptance at every entropy. */
function flatEnvironment(c: PassCosts, alpha: number): PolicyEnvironment {
  return {costs: c, acceptance: {optimistic: () => alpha, best: () => alpha}, gain: new SpeculationGain(), transitions: new EntropyTransitions()};
}

describe("cost-aware AdaEDL", () => {
  it("is a policy the factory knows, with checked parameters", () => {
    assert.equal(createPolicy({name: "costAware"}).name, "costAware");
    assert.throws(() => createPolicy({name: "costAware", margin: -1}), /costAware.margin/);
    assert.throws(() => createPolicy({name: "costAware", gamma: 1} as never), /no such parameter/);
  });

  // The first tests are of the rule without planning ahead (planAhead false), whose per-token decision
  // brute force over k checks directly; the plan it defaults to is checked in draftPlan.test.ts.
  it("drafts the k that brute force says maximises expected throughput, for any cost curve", () => {
    let cases = 0;
    const lengths = new Set<number>();
    for (const [name, curve] of Object.entries(CURVES))
      for (const draft of [0.02, 0.1, 0.3])
        for (const alpha of [0.05, 0.3, 0.5, 0.62, 0.7, 0.8, 0.9, 0.97]) {
          const alphas = Array<number>(16).fill(alpha);
          const c = costs(curve, draft);
          const policy = new CostAwarePolicy({planAhead: false});
          policy.prepare(environment(c, alphas));
          const k = draftLength(policy, alphas);
          assert.equal(k, bruteForce(alphas, c, 16), `${name}, C_d ${draft}, α ${alpha}`);
          lengths.add(k);
          cases++;
        }
    assert.ok(cases === 96 && lengths.size >= 6, `the cases reach ${lengths.size} different draft lengths`);
  });

  it("also when acceptance falls along the round, on convex cost curves", () => {
    const falling = [[0.95, 0.9, 0.85, 0.6, 0.5, 0.3, 0.2, 0.1], [0.99, 0.98, 0.97, 0.96, 0.7, 0.69, 0.68, 0.2], [0.8, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1]];
    for (const name of ["2-core CPU", "GPU, flat", "convex"])
      for (const draft of [0.02, 0.1])
        for (const alphas of falling) {
          const padded = [...alphas, ...Array<number>(16 - alphas.length).fill(alphas.at(-1)!)];
          const c = costs(CURVES[name]!, draft);
          const policy = new CostAwarePolicy({planAhead: false});
          policy.prepare(environment(c, padded));
          assert.equal(draftLength(policy, padded), bruteForce(padded, c, 16), `${name}, C_d ${draft}, α ${alphas}`);
        }
  });

  it("reads a round's first token with `optimism` and later ones with `laterOptimism`", () => {
    // The environment adds 0.1 to α per standard deviation of optimism asked for.
    const c = costs(CURVES["GPU, flat"]!, 0.05);
    const run = (optimism: number, laterOptimism: number, alpha: number) => {
      const readings: number[] = [];
      const read = (o: number | undefined) => Math.min(0.999, alpha + 0.1 * o!);
      const policy = new CostAwarePolicy({optimism, laterOptimism, planAhead: false});
      policy.prepare({costs: c, gain: new SpeculationGain(), transitions: new EntropyTransitions(), acceptance: {optimistic: (_h, o) => (readings.push(o!), read(o)), best: read}});
      return {k: draftLength(policy, Array<number>(16).fill(alpha)), readings};
    };
    // Planned ahead, the plan reads every bin once for token 1 and once for each later token.
    const planned: number[] = [];
    const policy = new CostAwarePolicy({optimism: 2, laterOptimism: 0});
    policy.prepare({costs: c, gain: new SpeculationGain(), transitions: new EntropyTransitions(), acceptance: {optimistic: (_h, o) => (planned.push(o!), 0.5), best: () => 0.5}});
    draftLength(policy, [0.5]);
    const bins = new EntropyTransitions().bins;
    assert.deepEqual(planned, [...Array<number>(bins).fill(2), ...Array<number>(15 * bins).fill(0)]);
    let shorter = 0;
    for (const alpha of [0.3, 0.5, 0.7, 0.85]) {
      for (const [optimism, laterOptimism] of [[2, 2], [2, 0], [1, 0], [0, 0]] as const) {
        const {readings} = run(optimism, laterOptimism, alpha);
        assert.deepEqual(readings, readings.map((_, i) => (i === 0 ? optimism : laterOptimism)), `α ${alpha}: each token read at its own optimism`);
      }
      const [bold, careful] = [run(2, 2, alpha).k, run(2, 0, alpha).k];
      assert.ok(careful <= bold && careful >= 1, `α ${alpha}: ${careful} tokens with later tokens read at their estimate, ${bold} with optimism`);
      if (careful < bold) shorter++;
    }
    assert.ok(shorter >= 2, "optimism on later tokens lengthens drafts");
    assert.throws(() => createPolicy({name: "costAware", laterOptimism: -1}), /costAware.laterOptimism/);
  });

  for (const planAhead of [false, true])
    it(`spares a draft pass whose token could not pay (planAhead ${planAhead})`, () => {
      const cpu = new CostAwarePolicy({planAhead});
      // A steep step from 2 to 3 tokens: the second token pays only above α ≈ 0.97.
      cpu.prepare(flatEnvironment(costs(n => (n <= 2 ? 1 + 0.1 * (n - 1) : 2 + 0.45 * (n - 3)), 0.05), 0.6));
      assert.equal(draftLength(cpu, [0.6, 0.6, 0.6]), 1);
      assert.equal(cpu.worthAnotherPass(2), false, "no pass for token 2");
      const gpu = new CostAwarePolicy({planAhead});
      gpu.prepare(flatEnvironment(costs(CURVES["GPU, flat"]!, 0.02), 0.6));
      gpu.beginRound();
      assert.ok(gpu.shouldDraft({index: 1, entropy: 0, topProbability: 0.5, position: 100}));
      assert.equal(gpu.worthAnotherPass(2), true, "where a pass over more tokens costs what one does, the pass for token 2 runs");
    });

  it("planned ahead, drafts a confident run where a second token alone would not pay, and nothing from an unsure start", () => {
    // Passes over 2 tokens cost 1.6 of one, over 3 or more little more: one drafted token never pays.
    const c = costs(n => (n === 1 ? 1 : 1.6 + 0.02 * (n - 2)), 0.05);
    const transitions = new EntropyTransitions();
    for (let i = 0; i < 100; i++) transitions.observeRound([0.01, 0.01, 0.01, 0.01], 2.5); // confident runs go on
    const policy = new CostAwarePolicy();
    policy.prepare({costs: c, gain: new SpeculationGain(), transitions, acceptance: {optimistic: h => (h < 0.05 ? 0.9 : 0.2), best: () => 0.9}});
    const round = (entropies: readonly number[]) => {
      let k = 0;
      policy.beginRound();
      for (const [i, entropy] of entropies.entries()) {
        if (i > 0 && !policy.worthAnotherPass(i + 1)) break;
        if (!policy.shouldDraft({index: i + 1, entropy, topProbability: 0.5, position: 100 + i})) break;
        k = i + 1;
      }
      policy.update(k, 0);
      return k;
    };
    assert.ok(round(Array<number>(16).fill(0.01)) >= 4, "a confident run is drafted on");
    assert.equal(round([2.5, 0.01, 0.01]), 0, "an unsure first token is not drafted");
  });

  it("reports no λ or gain where they would be NaN (no draft model, so no C_d)", () => {
    const policy = new CostAwarePolicy();
    policy.prepare(environment(costs(CURVES["2-core CPU"]!, NaN), [0.5]));
    const state = policy.state();
    assert.equal(state.lambda, undefined);
    assert.equal(state.speculationGain, undefined);
    assert.ok(JSON.stringify(state) !== undefined && !JSON.stringify(state).includes("null"), "nothing turns into null over IPC");
  });

  it("stops running the draft where speculation does not pay, and explores less often while explorations keep finding no gain", () => {
    const c = costs(CURVES["2-core CPU"]!, 0.3);
    const alphas = Array<number>(16).fill(0.5);
    /** The rounds, from round 40 on, that ran the draft, every draft rejected: speculation only costs here. */
    const explorations = (parameters: Partial<CostAwareParameters>) => {
      const policy = new CostAwarePolicy(parameters);
      policy.prepare(environment(c, alphas));
      const rounds: number[] = [];
      for (let round = 0; round < 2000; round++) {
        if (policy.maxDraftThisRound() === 0) {
          policy.update(0, 0);
          continue;
        }
        if (round >= 40) rounds.push(round);
        policy.update(draftLength(policy, alphas), 0);
      }
      assert.ok(policy.state().speculationGain! < 1);
      return rounds.map((round, i) => (i === 0 ? NaN : round - rounds[i - 1]!)).slice(1);
    };
    assert.ok(explorations({exploreAtMost: 32}).every(gap => gap === 32), "without doubling: exactly one exploring round in every 32");
    // One round in 32 until the rounds that ran the draft say beyond doubt that it loses (its gain
    // plus four standard errors below break-even), then each exploration doubles the interval.
    const gaps = explorations({});
    assert.ok(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]!), `gaps ${gaps}`);
    // From no evidence the first rounds explore (COLD_EXPLORATIONS), which rules speculation out
    // beyond doubt before round 40: the interval has doubled once by then.
    assert.deepEqual([...new Set(gaps)], [64, 128, 256], "doubling up to exploreAtMost");
  });

  it("keeps exploring one round in exploreEvery while the sit-out may be an unlucky stretch", () => {
    // Many rounds held, per-round gains scattered by 0.4: a standard error of 0.05.
    const gaps = (value: number, rounds: number) => {
      const gain = new SpeculationGain(undefined, {tokens: value, time: 1, variance: 0.16});
      const policy = new CostAwarePolicy();
      policy.prepare({...flatEnvironment(costs(CURVES["2-core CPU"]!, 0.1), 0.5), gain});
      const ran: number[] = [];
      for (let round = 0; round < rounds; round++) {
        if (policy.maxDraftThisRound() === 0) policy.update(0, 0);
        // An exploring round drafts one token, rejected: a gain of 1/1.55 that lowers the record a little.
        else ran.push(round), policy.update(draftLength(policy, [0.5]), 0);
      }
      return [...new Set(ran.map((r, i) => (i === 0 ? r + 1 : r - ran[i - 1]!)))];
    };
    // 0.95 ± 0.05: idle (the plan says no round pays), but not beyond doubt (1.15 at four errors,
    // 1.08 after six explorations lowered it).
    assert.deepEqual(gaps(0.95, 200), [32]);
    assert.deepEqual(gaps(0.6, 1000), [32, 64, 128, 256], "0.6 ± 0.05 loses beyond doubt");
  });

  it("explores at exploreEvery again once the draft has run by its gain since", () => {
    const gain = new SpeculationGain();
    const policy = new CostAwarePolicy();
    policy.prepare({...flatEnvironment(costs(CURVES["2-core CPU"]!, 0.3), 0.5), gain});
    const ran: number[] = [];
    for (let round = 0; round < 1600; round++) {
      if (round === 1200) for (let i = 0; i < 64; i++) gain.observe(3, 1); // speculation pays now (a faster machine)
      if (round === 1300) for (let i = 0; i < 200; i++) gain.observe(1, 10); // and then it does not again
      if (policy.maxDraftThisRound() === 0) policy.update(0, 0);
      else ran.push(round), policy.update(draftLength(policy, [0.5]), round >= 1200 && round < 1300 ? 1 : 0);
    }
    const gaps = (from: number, to: number) => ran.filter(r => r >= from && r < to).map((r, i, all) => (i === 0 ? NaN : r - all[i - 1]!)).slice(1);
    assert.ok(gaps(600, 1200).every(gap => gap === 256), `explorations before: ${gaps(600, 1200)}`);
    assert.ok(gaps(1201, 1300).every(gap => gap === 1), "while it pays, every round runs the draft");
    assert.deepEqual(gaps(1300, 1600).slice(0, 3), [32, 64, 128], "then exploring from one round in 32 again");
  });

  it("lets the target decode alone where the plan says no round with the draft beats it, though the gain has not ruled speculation out", () => {
    // Earned in at a gain of 1.2, then a slow round: the gain falls to 0.93, its bound (1.18) stays above break-even.
    const speculates = (curve: (n: number) => number, draft: number, alpha: number, parameters: Partial<CostAwareParameters> = {}) => {
      const gain = new SpeculationGain(undefined, {tokens: 1.2, time: 1, variance: 1});
      const policy = new CostAwarePolicy(parameters);
      policy.prepare({...flatEnvironment(costs(curve, draft), alpha), gain});
      assert.ok(policy.maxDraftThisRound() > 0, "earned in by a measured gain of 1.2");
      draftLength(policy, [alpha]);
      gain.observe(1, 10);
      policy.update(0, 0);
      assert.ok(gain.value() < 1 && gain.upper() > 1.02);
      return policy.maxDraftThisRound() > 0;
    };
    const cpu = CURVES["2-core CPU"]!, gpu = CURVES["GPU, flat"]!;
    // On the CPU a token accepted 30 % of the time returns 0.3 of a token for 0.45 of a pass: no round pays.
    assert.equal(speculates(cpu, 0.1, 0.3), false, "no draft where no round can pay");
    assert.equal(speculates(cpu, 0.1, 0.3, {roundGate: false}), true, "the gain's bound alone would have run it");
    assert.equal(speculates(cpu, 0.1, 0.3, {planAhead: false}), true, "as the rule without a plan does");
    assert.equal(speculates(cpu, 0.1, 0.8), true, "where confident drafts pay on the CPU, it drafts");
    assert.equal(speculates(gpu, 0.02, 0.3), true, "and where a longer pass costs what one does, even unsure drafts pay");
  });

  it("asks the plan again at ρ = 1 once the gain falls to 1 or below, though its last plan was made at a gain above 1", () => {
    // A noisy record: its bound stays above break-even throughout, so only the plan can idle the draft.
    const gain = new SpeculationGain(undefined, {tokens: 1.2, time: 1, variance: 1});
    const policy = new CostAwarePolicy();
    // On the CPU a token accepted 30 % of the time cannot pay: no round with the draft beats target-only.
    policy.prepare({...flatEnvironment(costs(CURVES["2-core CPU"]!, 0.1), 0.3), gain});
    assert.ok(policy.maxDraftThisRound() > 0, "a measured gain of 1.2 is evidence enough to run the draft");
    draftLength(policy, [0.3]); // the round's plan is made at ρ = 1.2
    gain.observe(1, 10); // a slow round: the gain falls to 0.93, its bound stays at 1.18
    policy.update(0, 0);
    assert.ok(gain.value() < 1 && gain.upper() > 1.02, `gain ${gain.value()}, bound ${gain.upper()}`);
    assert.equal(policy.maxDraftThisRound(), 0, "the plan made again at ρ = 1 says no round with the draft pays");
  });

  it("keeps drafting after a rejected draft once it has earned its way in, where drafting pays", () => {
    // The wide rig's curve on the AMD EPYC: C_t(2) = 1.12, C_d = 0.05, half the drafts accepted.
    const c = costs(n => (n <= 2 ? 1 + 0.12 * (n - 1) : 1.86 + 0.3 * (n - 3)), 0.05);
    const policy = new CostAwarePolicy();
    policy.prepare({...flatEnvironment(c, 0.5), gain: new SpeculationGain(undefined, {tokens: 1.5, time: 1.17, rounds: 1})});
    assert.equal(draftLength(policy, [0.5]), 1);
    policy.update(1, 0);
    assert.ok(policy.maxDraftThisRound() > 0, "one rejected draft is not evidence that speculation loses");
  });

  it("with no evidence, explores its first rounds and then one in exploreEvery: no paying for learning", () => {
    // Drafts that are never accepted on the CPU: every round with the draft loses.
    const lose = flatEnvironment(costs(CURVES["2-core CPU"]!, 0.1), 0.6);
    const policy = new CostAwarePolicy();
    policy.prepare(lose);
    let ran = 0;
    const rounds = 320;
    for (let round = 0; round < rounds; round++) {
      const k = policy.maxDraftThisRound() > 0 ? draftLength(policy, [0.6, 0.6, 0.6]) : 0;
      if (k > 0) ran++;
      policy.update(k, 0);
    }
    assert.ok(ran >= COLD_EXPLORATIONS && ran <= COLD_EXPLORATIONS + rounds / 32, `the draft ran in ${ran} of ${rounds} rounds`);
    // Where drafts pay, the first exploration earns it in for good.
    const win = {...flatEnvironment(costs(CURVES["GPU, flat"]!, 0.02), 0.9), gain: new SpeculationGain()};
    const winner = new CostAwarePolicy();
    winner.prepare(win);
    let first = -1, afterFirst = 0;
    for (let round = 0; round < 96; round++) {
      const k = winner.maxDraftThisRound() > 0 ? draftLength(winner, Array<number>(16).fill(0.9)) : 0;
      if (k > 0 && first < 0) first = round;
      else if (k > 0) afterFirst++;
      winner.update(k, k);
    }
    assert.equal(first, 0, "the first round explores");
    assert.equal(afterFirst, 96 - 1, "then it drafts every round");
  });

  it("with entryByPlan, keeps a draft the map says pays after unlucky first rounds, and idles it once the gain rules it out", () => {
    // The strong pair on the H100 profile (flash attention on): the map read 0.86–0.95, the first
    // rounds accepted 0, 0, 0 and 1 of their 2 drafts, and by its gain alone the draft sat out 31 rounds.
    const unlucky = [0, 0, 0, 1];
    /** Rounds (of the first 32) that ran the draft: the first ones as unlucky, then `accepted(k)` per round. */
    const run = (curve: (n: number) => number, draft: number, alpha: number, accepted: (k: number) => number, parameters: Partial<CostAwareParameters>) => {
      const policy = new CostAwarePolicy({maxDraft: 2, ...parameters});
      policy.prepare(flatEnvironment(costs(curve, draft), alpha));
      let ran = 0;
      for (let round = 0; round < 32; round++) {
        const k = policy.maxDraftThisRound() > 0 ? draftLength(policy, Array<number>(16).fill(alpha)) : 0;
        if (k > 0) ran++;
        policy.update(k, round < unlucky.length ? Math.min(k, unlucky[round]!) : accepted(k));
      }
      return ran;
    };
    const gpu = CURVES["GPU, flat"]!, cpu = CURVES["2-core CPU"]!;
    const allAccepted = (k: number) => k;
    assert.equal(run(gpu, 0.13, 0.9, allAccepted, {entryByPlan: false}), unlucky.length, "by its gain alone it sits out after the unlucky start");
    assert.equal(run(gpu, 0.13, 0.9, allAccepted, {entryByPlan: true}), 32, "with the plan's word it keeps drafting and earns its way in");
    // The map is wrong (every draft rejected): the gain's bound falls below break-even within a few rounds.
    const wrong = run(gpu, 0.13, 0.9, () => 0, {entryByPlan: true});
    assert.ok(wrong <= unlucky.length + 8, `a map that promises what rounds do not give costs a few rounds (${wrong})`);
    // A marginal draft (its rounds gain about 0.93, the map promises more): the plan's word runs it
    // during the first ENTRY_ROUNDS rounds at most, then the gain decides alone, as without entryByPlan.
    const marginal = (parameters: Partial<CostAwareParameters>) => {
      const policy = new CostAwarePolicy({maxDraft: 2, ...parameters});
      policy.prepare(flatEnvironment(costs(gpu, 0.13), 0.9));
      let ran = 0;
      for (let round = 0; round < 320; round++) {
        const k = policy.maxDraftThisRound() > 0 ? draftLength(policy, [0.9, 0.9]) : 0;
        if (k > 0) ran++;
        policy.update(k, k > 0 && ran % 5 === 0 ? 1 : 0);
      }
      return ran;
    };
    assert.ok(marginal({entryByPlan: true}) <= ENTRY_ROUNDS + 320 / 32, `a marginal draft ran ${marginal({entryByPlan: true})} of 320 rounds`);
    assert.ok(marginal({entryByPlan: true}) > marginal({entryByPlan: false}), "the plan's word did run it while the evidence was thin");
    // Where the plan says no round pays (unsure drafts on the CPU), entryByPlan changes nothing.
    assert.equal(run(cpu, 0.1, 0.3, () => 0, {entryByPlan: true}), run(cpu, 0.1, 0.3, () => 0, {entryByPlan: false}));
  });

  it("comes back within a few explorations once a losing stretch that stopped the draft is over", () => {
    const c = costs(CURVES["2-core CPU"]!, 0.1);
    const alphas = Array<number>(16).fill(0.9);
    const policy = new CostAwarePolicy();
    const gain = new SpeculationGain();
    policy.prepare({...flatEnvironment(c, 0.9), gain});
    const round = (accept: boolean) => {
      const max = policy.maxDraftThisRound();
      if (max === 0) return policy.update(0, 0), false;
      const k = draftLength(policy, alphas);
      policy.update(k, accept ? k : 0);
      return true;
    };
    for (let i = 0; i < 300; i++) round(true);
    assert.ok(policy.state().speculating && !policy.state().exploring, "earned its way in");
    let losing = 0;
    while (policy.state().speculating && losing < 200) (round(false), losing++);
    assert.ok(!policy.state().speculating, `a losing stretch stops it (after ${losing} rounds)`);
    let rounds = 0, explorations = 0;
    while (!(policy.state().speculating && !policy.state().exploring) && rounds < 32 * 40) {
      if (round(true)) explorations++;
      rounds++;
    }
    // Its gain record, hundreds of rounds long, counts as 8 rounds once the draft stops, so the first
    // exploration's round moves it a ninth of the way and the plan's word is heard again (entryByPlan).
    // Undiscounted, each exploration moved it 1/32 of the way and this took five of them (160 rounds).
    assert.ok(explorations <= 2, `running again after ${explorations} explorations (${rounds} rounds)`);
  });

  it("starts drafting again within a few explorations once speculation pays", () => {
    const c = costs(CURVES["GPU, flat"]!, 0.02);
    const alphas = Array<number>(16).fill(0.9);
    const gain = new SpeculationGain(undefined, {tokens: 1, time: 1.5}); // what a bad past left behind
    const policy = new CostAwarePolicy();
    policy.prepare(environment(c, alphas, gain));
    assert.equal(policy.maxDraftThisRound(), 0, "a saved gain below 1 starts target-only");
    let rounds = 0;
    while (!policy.state().speculating && rounds < 32 * 8) {
      const max = policy.maxDraftThisRound();
      if (max === 0) policy.update(0, 0);
      else {
        const k = draftLength(policy, alphas);
        policy.update(k, k); // everything accepted
      }
      rounds++;
    }
    assert.ok(policy.state().speculating && rounds <= 32 * 3, `speculating again after ${rounds} rounds`);
    assert.ok(policy.state().lambda! < 0.1, `λ, the acceptance one token needs, is ${policy.state().lambda} on a flat GPU curve`);
  });
});
