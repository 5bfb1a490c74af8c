import assert from "node:assert/strict";
import {acceptanceBound, AdaEdlPolicy, createPolicy, HeuristicPolicy, InvalidOptionError, MaxConfidencePolicy, OffPolicy,
  StaticPolicy} from "../../src/engine";

const step = (index: number, entropy: number, topProbability = 0.5) => ({index, entropy, topProbability, position: 10 + index});

describe("AdaEDL policy", () => {
  it("bounds the acceptance probability by 1 − sqrt(γ·H)", () => {
    assert.equal(acceptanceBound(0.2, 0), 1);
    assert.ok(Math.abs(acceptanceBound(0.2, 0.5) - (1 - Math.sqrt(0.1))) < 1e-15);
    assert.ok(Math.abs(acceptanceBound(0.2, 1.25) - 0.5) < 1e-15);
    assert.ok(acceptanceBound(0.2, 20) < 0, "a flat distribution gives a negative bound");
  });

  it("stops when the bound falls below λ, but never before minDraft tokens", () => {
    const policy = new AdaEdlPolicy(); // γ 0.2, λ0 0.5, minDraft 1
    assert.equal(policy.maxDraftThisRound(), 16);
    assert.equal(policy.shouldDraft(step(1, 50)), true, "the first token is always drafted");
    assert.equal(policy.shouldDraft(step(2, 0.5)), true, "bound 0.684 ≥ 0.5");
    assert.equal(policy.shouldDraft(step(3, 1.25)), true, "bound 0.5 is not below λ 0.5");
    assert.equal(policy.shouldDraft(step(3, 1.3)), false, "bound 0.490 < 0.5");
    const patient = new AdaEdlPolicy({minDraft: 3});
    assert.equal(patient.shouldDraft(step(3, 50)), true);
    assert.equal(patient.shouldDraft(step(4, 50)), false);
  });

  it("updates AR and λ round by round exactly as docs/algorithm.md says", () => {
    const policy = new AdaEdlPolicy();
    // Hand-computed with β1 0.5, β2 0.9, ε 0.01, α 0.9, AR0 0.9, λ0 0.5, maxDraft 16.
    const rounds: Array<[number, number, number, number]> = [
      // drafted, accepted, AR after, λ after
      [4, 2, 0.7, 0.501],      // AR < α: λ' = λ + ε
      [3, 3, 0.85, 0.502],     // AR < α
      [5, 5, 0.925, 0.501],    // AR ≥ α and a ≠ maxDraft: λ' = λ − ε
      [16, 16, 0.9625, 0.501], // AR ≥ α and a = maxDraft: λ' = λ
      [2, 0, 0.48125, 0.502]   // AR < α
    ];
    for (const [drafted, accepted, ar, lambda] of rounds) {
      policy.update(drafted, accepted);
      const state = policy.state();
      assert.ok(Math.abs(state.acceptanceEstimate! - ar) < 1e-12, `AR ${state.acceptanceEstimate} ≠ ${ar}`);
      assert.ok(Math.abs(state.lambda! - lambda) < 1e-12, `λ ${state.lambda} ≠ ${lambda}`);
    }
    policy.update(0, 0, 0);
    assert.ok(Math.abs(policy.state().lambda! - 0.502) < 1e-12, "a round that could draft nothing changes nothing");
    policy.reset();
    assert.deepEqual(policy.state(), {lambda: 0.5, acceptanceEstimate: 0.9});
  });

  it("counts a round that could draft but drafted nothing as all accepted, so a λ above every bound comes down", () => {
    // minDraft 0 and λ above the bound of every token: nothing is drafted.
    const policy = new AdaEdlPolicy({minDraft: 0, lambda0: 0.95});
    const entropy = 0.5; // bound 0.684
    let rounds = 0;
    while (!policy.shouldDraft(step(1, entropy)) && rounds < 1000) {
      policy.update(0, 0, 16);
      rounds++;
    }
    assert.ok(rounds > 0 && rounds < 1000, `drafting again after ${rounds} empty rounds`);
    assert.ok(policy.state().lambda! <= 0.684);
    assert.ok(policy.state().acceptanceEstimate! > 0.9, "AR rose: nothing drafted was rejected");
  });

  it("keeps λ where all of a round's drafts were accepted up to its own cap, not only at maxDraft", () => {
    const capped = new AdaEdlPolicy({alpha: 0.5});
    capped.update(3, 3, 3); // cut to three tokens by maxTokens or a stop, all accepted
    assert.equal(capped.state().lambda, 0.5, "stopped by its cap, not by the threshold: λ stays");
    const stopped = new AdaEdlPolicy({alpha: 0.5});
    stopped.update(3, 3, 16); // the threshold stopped it at three
    assert.ok(stopped.state().lambda! < 0.5, "drafting more would have paid: λ falls");
  });

  it("a higher λ makes it stop earlier", () => {
    const policy = new AdaEdlPolicy({lambda0: 0.7});
    assert.equal(policy.shouldDraft(step(2, 0.5)), false, "bound 0.684 < 0.7");
  });

  it("clamps λ to [0, 1]", () => {
    const high = new AdaEdlPolicy({lambda0: 0.995, epsilon: 0.5});
    high.update(4, 0);
    assert.equal(high.state().lambda, 1);
    const low = new AdaEdlPolicy({lambda0: 0.01, epsilon: 0.5, alpha: 0.1});
    low.update(4, 4);
    assert.equal(low.state().lambda, 0);
  });
});

describe("static, maxConfidence, heuristic and off policies", () => {
  it("static drafts K every round", () => {
    const policy = new StaticPolicy({k: 6});
    assert.equal(policy.maxDraftThisRound(), 6);
    assert.equal(policy.shouldDraft(step(3, 50)), true);
    policy.update(6, 1);
    assert.equal(policy.maxDraftThisRound(), 6);
  });

  it("maxConfidence stops when the top probability is below p_min", () => {
    const policy = new MaxConfidencePolicy();
    assert.equal(policy.shouldDraft(step(1, 0, 0.6)), true);
    assert.equal(policy.shouldDraft(step(1, 0, 0.59)), false, "minDraft 0: even the first token can be skipped");
    const strict = new MaxConfidencePolicy({pMin: 0.9, minDraft: 2});
    assert.equal(strict.shouldDraft(step(2, 0, 0.1)), true);
    assert.equal(strict.shouldDraft(step(3, 0, 0.89)), false);
  });

  it("heuristic starts at 5, adds 2 after a fully accepted round, subtracts 1 otherwise", () => {
    const policy = new HeuristicPolicy();
    const lengths: number[] = [policy.maxDraftThisRound()];
    for (const [k, a] of [[5, 5], [7, 3], [6, 6], [8, 8], [10, 10], [12, 12], [14, 14], [16, 16], [16, 0]]) {
      policy.update(k!, a!);
      lengths.push(policy.maxDraftThisRound());
    }
    assert.deepEqual(lengths, [5, 7, 6, 8, 10, 12, 14, 16, 16, 15]);
    policy.update(3, 3);
    assert.equal(policy.maxDraftThisRound(), 15, "a round capped short of the length says nothing about it");
    const floor = new HeuristicPolicy({start: 1});
    floor.update(1, 0);
    assert.equal(floor.maxDraftThisRound(), 1);
    policy.reset();
    assert.equal(policy.maxDraftThisRound(), 5);
  });

  it("off never drafts", () => {
    assert.equal(new OffPolicy().maxDraftThisRound(), 0);
  });
});

describe("createPolicy", () => {
  it("builds every policy by name with its defaults", () => {
    assert.equal(createPolicy({name: "adaedl"}).name, "adaedl");
    assert.equal(createPolicy({name: "static", k: 3}).maxDraftThisRound(), 3);
    assert.equal(createPolicy({name: "maxConfidence"}).name, "maxConfidence");
    assert.equal(createPolicy({name: "heuristic"}).maxDraftThisRound(), 5);
    assert.equal(createPolicy({name: "off"}).maxDraftThisRound(), 0);
  });

  const bad: Array<[unknown, string]> = [
    [{name: "fastest"}, "policy"],
    [{name: "adaedl", gama: 0.3}, "adaedl.gama"],
    [{name: "adaedl", gamma: Number.NaN}, "adaedl.gamma"],
    [{name: "adaedl", gamma: -1}, "adaedl.gamma"],
    [{name: "adaedl", lambda0: 1.5}, "adaedl.lambda0"],
    [{name: "adaedl", minDraft: 5, maxDraft: 4}, "adaedl.minDraft"],
    [{name: "static", k: 0}, "static.k"],
    [{name: "static", k: 2.5}, "static.k"],
    [{name: "maxConfidence", pMin: "high"}, "maxConfidence.pMin"],
    [{name: "heuristic", start: 20}, "heuristic.start"],
    [{name: "off", k: 1}, "off.k"]
  ];
  for (const [spec, option] of bad)
    it(`rejects ${JSON.stringify(spec, (_, v) => (Number.isNaN(v) ? "NaN" : v))} naming ${option}`, () => {
      assert.throws(() => createPolicy(spec as never), (error: unknown) =>
        error instanceof InvalidOptionError && error.option === option && error.message.startsWith(option));
    });
});
