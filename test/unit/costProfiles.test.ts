// Cost profiles (issue 33): the files in src/lab/bench/profiles/ are what the roofline computes, a
// bad profile is refused naming its file and field, and the clock charges exactly a profile's costs.
import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import path from "node:path";
import {CostProfileError, hereProfile, profileNames, PROFILES_FOLDER, readCostProfile, validateCostProfile} from "../../src/lab/bench/costProfiles";
import {DEVICES, MODELS, passMs, PROFILE_PASS_TOKENS, ROOFLINE_ASSUMPTIONS} from "../../src/lab/bench/roofline";
import {builtInProfiles, profileText} from "../../src/lab/cli/profiles";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {ProfileClock, WALL_CLOCK} from "../../src/engine/drafting/passClock";

const root = repoRoot(__dirname);
const GOOD = {name: "t", targetTokenMs: 10, target: Array.from({length: PROFILE_PASS_TOKENS}, (_, i) => 1 + 0.1 * i), draft: 0.05, bookkeepingMs: 0.25, lookupMs: 0.5};

describe("cost profiles", () => {
  it("keeps in src/lab/bench/profiles exactly what the roofline and the sweep compute (npm run profiles)", () => {
    for (const profile of builtInProfiles()) {
      const file = path.join(root, PROFILES_FOLDER, `${profile.name}.json`);
      assert.equal(readFileSync(file, "utf8"), profileText(profile), `${file} is out of date: npm run profiles`);
      assert.deepEqual(readCostProfile(profile.name, root).target, profile.target, "and it reads back valid");
    }
    assert.ok(profileNames(root).includes("h100-7b-q8") && profileNames(root).includes("sweep-stepped-cd0.3"));
  });

  it("computes a pass by the roofline: overhead + bytes over effective bandwidth + FLOPs over effective peak", () => {
    const {bandwidthEfficiency, flopsEfficiency, overheadMs} = ROOFLINE_ASSUMPTIONS;
    const model = MODELS.qwen7bQ8, device = DEVICES.h100;
    const expected = (n: number) => overheadMs + 1000 * model.parameters * 8.5 / 8 / (3.35e12 * bandwidthEfficiency) + 1000 * n * 2 * model.parameters / (989e12 * flopsEfficiency);
    for (const n of [1, 2, 17]) assert.ok(Math.abs(passMs(model, device, n) - expected(n)) < 1e-9, `n = ${n}`);
    assert.ok(passMs(MODELS.qwen0_5bQ8, device, 1) < passMs(model, device, 1) / 5, "a 0.5B draft pass is a fraction of a 7B one");
  });

  it("refuses a bad profile naming the file and the field, and lists the names there are for an unknown one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "draftstop-profile-"));
    try {
      const write = (name: string, json: unknown) => {
        const file = path.join(dir, name);
        writeFileSync(file, JSON.stringify(json));
        return file;
      };
      const cases: Array<[string, unknown, RegExp]> = [
        ["missing.json", {...GOOD, draft: undefined}, /missing\.json: "draft" is missing/],
        ["nan.json", {...GOOD, targetTokenMs: "fast"}, /nan\.json: "targetTokenMs" must be a finite number/],
        ["down.json", {...GOOD, target: GOOD.target.map((r, i) => (i === 5 ? 1.2 : r))}, /down\.json: "target\[5\]" is 1\.2, below target\[4\]/],
        ["short.json", {...GOOD, target: GOOD.target.slice(0, 9)}, /short\.json: "target" must list C_t\(n\)\/C_t\(1\) for n = 1\.\.17/],
        ["first.json", {...GOOD, target: GOOD.target.map(r => r * 2)}, /first\.json: "target\[0\]" must be 1/],
        ["negative.json", {...GOOD, bookkeepingMs: -1}, /negative\.json: "bookkeepingMs" must be at least 0/],
        ["infinite.json", {...GOOD, target: GOOD.target.map((r, i) => (i === 16 ? null : r))}, /infinite\.json: "target\[16\]" must be a finite positive number/]
      ];
      for (const [name, json, message] of cases) assert.throws(() => readCostProfile(write(name, json), root), (e: Error) => e instanceof CostProfileError && message.test(e.message), name);
      writeFileSync(path.join(dir, "broken.json"), "{");
      assert.throws(() => readCostProfile(path.join(dir, "broken.json"), root), /broken\.json: .*JSON/);
      assert.throws(() => readCostProfile("h200-70b", root), /no cost profile "h200-70b": the profiles are .*h100-7b-q8.*"here"/);
      assert.deepEqual(readCostProfile(write("good.json", GOOD), root), GOOD);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it("builds `here` from the costs measured at load, charging bookkeeping as measured", () => {
    const here = hereProfile({target: GOOD.target, draft: 0.2, targetTokenMs: 18, draftTokenMs: 3.6});
    assert.deepEqual([here.name, here.targetTokenMs, here.draft, here.bookkeepingMs], ["here", 18, 0.2, undefined]);
    assert.throws(() => hereProfile({target: GOOD.target, draft: NaN, targetTokenMs: 18, draftTokenMs: NaN}), /no draft model/);
    assert.equal(new ProfileClock(here).bookkeeping(0.7), 0.7);
  });

  it("charges a profile's costs whatever the pass took: C_t(n), C_d·C_t(m)/C_t(1), fixed bookkeeping, and the last step past 17", () => {
    const clock = new ProfileClock(validateCostProfile(GOOD, "test"));
    assert.equal(clock.targetPass(1, 123), 10);
    assert.ok(Math.abs(clock.targetPass(3, 0) - 12) < 1e-12);
    assert.ok(Math.abs(clock.targetPass(19, 0) - 10 * (2.6 + 0.2)) < 1e-9, "two steps of 0.1 past C_t(17) = 2.6");
    assert.ok(Math.abs(clock.draftPass(1, 99) - 0.5) < 1e-12);
    assert.ok(Math.abs(clock.draftPass(2, 99) - 0.55) < 1e-12, "a catch-up pass over two tokens");
    assert.deepEqual([clock.bookkeeping(3), clock.lookup(3)], [0.25, 0.5]);
    const costs = clock.costModel();
    costs.observeTargetPass(3, clock.targetPass(3, 0));
    costs.observeDraftPass(clock.draftPass(1, 0));
    assert.ok(Math.abs(costs.targetMs(1) - 10) < 1e-9 && Math.abs(costs.targetMs(3) - 12) < 1e-9 && Math.abs(costs.draftMs() - 0.5) < 1e-12,
      "the policies' cost model observes only charged passes, so it stays the profile");
    assert.equal(WALL_CLOCK.targetPass(3, 42), 42);
  });
});
