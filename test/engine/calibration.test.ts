// What the engine learns about a pair is kept per pair: keyed by the models' contents, applied to
// the same models wherever they lie, never to another pair.
import assert from "node:assert/strict";
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {DraftstopEngine} from "../../src/engine";
import {pairIdentity} from "../../src/engine/drafting/pairIdentity";
import {CostAwarePolicy, PolicyEnvironment} from "../../src/engine/drafting/policies";

/** The real rule with GPU-like costs pinned, so that it drafts (and the map learns) on these tiny models. */
class PinnedCosts extends CostAwarePolicy {
  constructor() {
    super({exploreEvery: 1, exploreAtMost: 1});
  }
  override prepare(environment: PolicyEnvironment): void {
    super.prepare({...environment, costs: {targetMs: () => 1, draftMs: () => 0.02}});
  }
}
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

describe("calibration persisted per model pair", function () {
  this.timeout(300_000);
  let pair: MarkovPair;
  let other: MarkovPair;
  let dir: string;

  before(() => {
    pair = makeMarkovPair({seed: 3, eosProbability: 0.01, cycleBoost: 0.35, draftMix: 0.5});
    other = makeMarkovPair({seed: 4, eosProbability: 0.01, cycleBoost: 0.35, draftMix: 0.5});
    dir = mkdtempSync(join(tmpdir(), "draftstop-calibration-"));
  });
  after(() => {
    pair?.cleanup();
    other?.cleanup();
    rmSync(dir, {recursive: true, force: true});
  });

  const load = (targetPath: string, draftPath: string, calibrationFile: string) =>
    DraftstopEngine.load({targetPath, draftPath, threads: 1, contextSize: 512, calibrationFile});
  const judged = (engine: DraftstopEngine) => engine.calibrationSnapshot("greedy").acceptance.reduce((sum, bin) => sum + bin.judged, 0);

  it("measures the cost curve at load", async () => {
    const engine = await load(pair.targetPath, pair.draftPath, join(dir, "unused.json"));
    try {
      const {greedyCosts, calibrationMs, calibrationPasses} = engine.calibrationSnapshot("greedy");
      // Passes over 1 to 3 tokens are timed most: they decide whether a CPU's speculation pays.
      // This pair's passes take a few ms, so the whole plan fits the 0.7 s budget.
      assert.deepEqual(calibrationPasses.map(size => `${size.tokens}:${size.timed}`), ["1:9", "2:9", "3:9", "5:3", "9:3", "17:3"]);
      assert.equal(greedyCosts.target.length, 17);
      assert.equal(greedyCosts.target[0], 1);
      assert.ok(greedyCosts.target.every((r, i, all) => i === 0 || r >= all[i - 1]!), "C_t(n)/C_t(1) never falls");
      assert.ok(greedyCosts.targetTokenMs > 0 && greedyCosts.draft > 0 && calibrationMs > 0);
    } finally {
      await engine.dispose();
    }
  });

  it("reuses a recent load-time measurement from the file for the same settings, and measures again when it is old, broken or for other settings", async () => {
    const file = join(dir, "costs.json");
    const measuredAt = async (contextSize = 512) => {
      const engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize, calibrationFile: file});
      try {
        return engine.calibrationSnapshot("greedy");
      } finally {
        await engine.dispose();
      }
    };
    const first = await measuredAt();
    const entry = () => JSON.parse(readFileSync(file, "utf8")).pairs[pairIdentity(pair.targetPath, pair.draftPath)];
    const saved = Object.values(entry().loadTimeCosts as Record<string, {measuredAt: string}>);
    assert.deepEqual(saved.map(s => s.measuredAt), [first.calibrationMeasuredAt], "the measurement is saved with its time");
    const again = await measuredAt();
    assert.equal(again.calibrationMeasuredAt, first.calibrationMeasuredAt, "a reload within minutes reuses it");
    assert.deepEqual(again.greedyCosts.target, first.greedyCosts.target);
    assert.equal(again.greedyCosts.draft, first.greedyCosts.draft);

    const other = await measuredAt(256);
    assert.notEqual(other.calibrationMeasuredAt, first.calibrationMeasuredAt, "another context size is measured");
    assert.equal(Object.keys(entry().loadTimeCosts).length, 2, "and kept beside the first");

    const rewrite = (change: (saved: Record<string, unknown>) => void) => {
      const whole = JSON.parse(readFileSync(file, "utf8"));
      for (const saved of Object.values(whole.pairs[pairIdentity(pair.targetPath, pair.draftPath)].loadTimeCosts as Record<string, Record<string, unknown>>)) change(saved);
      writeFileSync(file, JSON.stringify(whole));
    };
    rewrite(saved => (saved.measuredAt = new Date(Date.now() - 11 * 60_000).toISOString()));
    const stale = await measuredAt();
    assert.ok(Date.parse(stale.calibrationMeasuredAt) > Date.now() - 60_000, "a measurement over ten minutes old is made again");
    rewrite(saved => ((saved.table as {targetMs: unknown[]}).targetMs = ["fast"]));
    const broken = await measuredAt();
    assert.notEqual(broken.calibrationMeasuredAt, stale.calibrationMeasuredAt, "a broken entry is measured again");
    assert.ok(broken.greedyCosts.targetTokenMs > 0);
  });

  it("saves what it learned, reloads it for the same models under other paths, and never for other models", async () => {
    const file = join(dir, "calibration.json");
    const first = await load(pair.targetPath, pair.draftPath, file);
    for (let i = 0; i < 6; i++) {
      await first.experiment("abcab", {maxTokens: 24, seed: i, drafter: "model"}, {policy: new PinnedCosts()});
      await first.generate("abcab", {maxTokens: 24, seed: i, drafter: "lookup"});
    }
    const learned = judged(first);
    assert.ok(learned > 20, `judged ${learned} drafts`);
    const snapshot = first.calibrationSnapshot("greedy").acceptance;
    const lookup = first.calibrationSnapshot("greedy").lookup;
    const roundStarts = first.calibrationSnapshot("greedy").roundStarts;
    const lookupGains = first.calibrationSnapshot("greedy").lookupGains;
    assert.ok(Object.values(lookupGains).some(gain => gain > 0), `lookup rounds measured a gain: ${JSON.stringify(lookupGains)}`);
    assert.ok(Math.max(...roundStarts) > 2 / roundStarts.length, `where rounds start was learned: ${roundStarts.map(p => p.toFixed(2))}`);
    assert.ok(lookup.some(bin => bin.judged > 0), "lookup drafts were judged too");
    await first.dispose();
    const saved = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(Object.keys(saved.pairs), [pairIdentity(pair.targetPath, pair.draftPath)]);
    assert.ok(saved.pairs[pairIdentity(pair.targetPath, pair.draftPath)].settings.greedy.acceptance.judged.length > 0);

    const movedTarget = join(dir, "moved-target.gguf"), movedDraft = join(dir, "moved-draft.gguf");
    copyFileSync(pair.targetPath, movedTarget);
    copyFileSync(pair.draftPath, movedDraft);
    const moved = await load(movedTarget, movedDraft, file);
    try {
      assert.deepEqual(moved.calibrationSnapshot("greedy").acceptance, snapshot, "the same models elsewhere start where the first left off");
      assert.deepEqual(moved.calibrationSnapshot("greedy").lookup, lookup, "and so does what lookup learned");
      assert.deepEqual(moved.calibrationSnapshot("greedy").roundStarts, roundStarts, "and where rounds start");
      assert.deepEqual(moved.calibrationSnapshot("greedy").lookupGains, lookupGains, "and what lookup gained, by agreement");
    } finally {
      await moved.dispose();
    }

    const stranger = await load(other.targetPath, other.draftPath, file);
    try {
      assert.equal(judged(stranger), 0, "another pair starts from the prior");
      assert.ok(stranger.calibrationSnapshot("greedy").lookup.every(bin => bin.judged === 0), "lookup too");
      assert.ok(stranger.calibrationSnapshot("greedy").roundStarts.every((p, _, all) => Math.abs(p - 1 / all.length) < 1e-12), "and rounds start anywhere");
      await stranger.experiment("abcab", {maxTokens: 8, seed: 1}, {policy: new PinnedCosts()});
    } finally {
      await stranger.dispose();
    }
    const both = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(Object.keys(both.pairs).length, 2, "each pair keeps its own entry");
    assert.equal(both.pairs[pairIdentity(pair.targetPath, pair.draftPath)].settings.greedy.acceptance.judged.length, snapshot.length);
  });

  it("keeps what a learning scope learns apart from the window's state, and never saves it", async () => {
    const file = join(dir, "scoped.json");
    const engine = await load(pair.targetPath, pair.draftPath, file);
    try {
      for (let i = 0; i < 4; i++)
        await engine.experiment("abcab", {maxTokens: 24, seed: i, drafter: "model"}, {policy: new PinnedCosts(), learningScope: "column A"});
      const inScope = engine.calibrationSnapshot("greedy", "column A").acceptance.reduce((sum, bin) => sum + bin.judged, 0);
      assert.ok(inScope > 10, `the scope judged ${inScope} drafts`);
      assert.equal(judged(engine), 0, "the window's own map learned nothing");
      assert.equal(engine.calibrationSnapshot("greedy", "column B").acceptance.reduce((sum, bin) => sum + bin.judged, 0), 0, "nor did another scope");
      await engine.experiment("abcab", {maxTokens: 24, seed: 9, drafter: "model"}, {policy: new PinnedCosts()});
      assert.ok(judged(engine) > 0);
      engine.forgetLearningScopes(["column A"]);
      assert.equal(engine.calibrationSnapshot("greedy", "column A").acceptance.reduce((sum, bin) => sum + bin.judged, 0), 0, "a forgotten scope starts again from nothing");
      assert.ok(judged(engine) > 0, "and the window's own state stays");
    } finally {
      await engine.dispose();
    }
    const saved = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(Object.keys(saved.pairs[pairIdentity(pair.targetPath, pair.draftPath)].settings), ["greedy"], "only the unscoped setting is saved");
  });

    it("starts uncalibrated, with a warning, from a file it cannot read", async () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, "{not json");
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const engine = await load(pair.targetPath, pair.draftPath, file);
      assert.equal(judged(engine), 0);
      await engine.generate("abcab", {maxTokens: 8, seed: 1});
      await engine.dispose();
    } finally {
      console.warn = warn;
    }
    assert.ok(warnings.some(w => /broken\.json is unreadable/.test(w)), warnings.join("\n"));
    assert.ok(existsSync(file) && JSON.parse(readFileSync(file, "utf8")).version === 1, "the next save replaces it with a good file");
  });
});
