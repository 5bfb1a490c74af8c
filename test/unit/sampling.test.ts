import assert from "node:assert/strict";
import {entropy} from "../../src/engine";
import {argmax, topProbability} from "../../src/engine/distribution";
import {acceptanceProbability, Prng, residual, sample} from "../../src/engine/decoding/sampling";
import type {Token} from "../../src/engine/nlc";

const dist = (entries: Array<[number, number]>) => new Map(entries as Array<[Token, number]>);

describe("entropy", () => {
  it("is 0 for a certain token and log n for n equal ones", () => {
    assert.equal(entropy(dist([[7, 1]])), 0);
    assert.ok(Math.abs(entropy(dist([[1, 0.25], [2, 0.25], [3, 0.25], [4, 0.25]])) - Math.log(4)) < 1e-12);
  });

  it("renormalises a truncated map before measuring it", () => {
    const truncated = dist([[1, 0.3], [2, 0.1]]); // mass 0.4 → (0.75, 0.25)
    const expected = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    assert.ok(Math.abs(entropy(truncated) - expected) < 1e-12);
  });

  it("underestimates the full entropy when the tail is cut (the documented bias)", () => {
    const full: Array<[number, number]> = [[1, 0.5], [2, 0.2]];
    for (let t = 3; t < 33; t++) full.push([t, 0.3 / 30]);
    const top2 = dist(full.slice(0, 2));
    assert.ok(entropy(top2) < entropy(dist(full)));
    // bounded by h(m) + m·log(V − K) with m = 0.3, V − K = 30
    const m = 0.3;
    const bound = -(m * Math.log(m) + (1 - m) * Math.log(1 - m)) + m * Math.log(30);
    assert.ok(entropy(dist(full)) - entropy(top2) <= bound + 1e-12);
  });

  it("ignores zero entries", () => {
    assert.equal(entropy(dist([[1, 1], [2, 0]])), 0);
  });
});

describe("distribution helpers", () => {
  it("argmax and top probability", () => {
    const d = dist([[5, 0.2], [9, 0.5], [3, 0.3]]);
    assert.equal(argmax(d), 9);
    assert.equal(topProbability(d), 0.5);
    assert.equal(topProbability(dist([[1, 0.2], [2, 0.2]])), 0.5, "renormalised");
  });

  it("names a model whose output has no usable probability (NaN logits from a corrupt file) instead of a bare Error", () => {
    const nan = dist([[1, NaN], [2, NaN]]);
    const named = (error: unknown) => (error as {code?: string}).code === "model.badOutput" && /corrupt/.test((error as Error).message);
    assert.throws(() => argmax(nan), named);
    assert.throws(() => argmax(dist([])), named);
    assert.throws(() => sample(nan, new Prng(1)), named);
  });
});

describe("seeded PRNG and draws", () => {
  it("repeats for a seed and differs between seeds", () => {
    const a = new Prng(42), b = new Prng(42), c = new Prng(43);
    const xs = Array.from({length: 5}, () => a.uniform());
    assert.deepEqual(Array.from({length: 5}, () => b.uniform()), xs);
    assert.notDeepEqual(Array.from({length: 5}, () => c.uniform()), xs);
    assert.ok(xs.every(x => x >= 0 && x < 1));
  });

  it("samples each token with its probability", () => {
    const prng = new Prng(7);
    const d = dist([[1, 0.5], [2, 0.3], [3, 0.2]]);
    const counts = new Map<number, number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const t = sample(d, prng);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    for (const [token, p] of d) {
      const se = Math.sqrt(p * (1 - p) / n);
      assert.ok(Math.abs(counts.get(token)! / n - p) < 4 * se, `token ${token}: ${counts.get(token)! / n} vs ${p}`);
    }
  });

  it("never samples a zero-probability token", () => {
    const prng = new Prng(1);
    for (let i = 0; i < 1000; i++) assert.notEqual(sample(dist([[1, 0], [2, 1], [3, 0]]), prng), 1);
  });
});

describe("rejection sampling pieces", () => {
  const p = dist([[1, 0.5], [2, 0.3], [3, 0.2]]);
  const q = dist([[1, 0.2], [2, 0.6], [4, 0.2]]);

  it("accepts with min(1, p/q)", () => {
    assert.equal(acceptanceProbability(p, q, 1 as Token), 1);
    assert.equal(acceptanceProbability(p, q, 2 as Token), 0.5);
    assert.equal(acceptanceProbability(p, q, 4 as Token), 0, "outside the target's support");
  });

  it("residual is norm(max(0, p − q)) on p's support", () => {
    const r = residual(p, q);
    // p − q: 1 → 0.3, 2 → −0.3, 3 → 0.2; normalised: 0.6, 0.4
    assert.deepEqual([...r.keys()], [1, 3]);
    assert.ok(Math.abs(r.get(1 as Token)! / 0.5 - 0.6) < 1e-12);
    assert.ok(Math.abs(r.get(3 as Token)! / 0.5 - 0.4) < 1e-12);
  });

  it("falls back to p when p ≤ q everywhere (float rounding only)", () => {
    assert.equal(residual(p, p), p);
  });

  it("draft-then-accept-or-resample reproduces p exactly (Leviathan et al.)", () => {
    const prng = new Prng(99);
    const n = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const x = sample(q, prng);
      const out = prng.uniform() < acceptanceProbability(p, q, x) ? x : sample(residual(p, q), prng);
      counts.set(out, (counts.get(out) ?? 0) + 1);
    }
    for (const [token, pt] of p) {
      const se = Math.sqrt(pt * (1 - pt) / n);
      assert.ok(Math.abs((counts.get(token) ?? 0) / n - pt) < 4 * se, `token ${token}`);
    }
    assert.equal(counts.get(4), undefined);
  });
});

describe("PRNG seeding", () => {
  it("gives uniform first draws over consecutive seeds (a correlated seeding biased whole generations)", () => {
    const bins = new Array(10).fill(0);
    const n = 20_000;
    for (let seed = 0; seed < n; seed++) bins[Math.floor(new Prng(seed).uniform() * 10)]++;
    const chi2 = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
    assert.ok(chi2 < 27.9, `χ² ${chi2.toFixed(1)} on 9 dof exceeds the 0.001 critical value`);
  });
});
