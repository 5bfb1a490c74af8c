import assert from "node:assert/strict";
import {DraftstopEngine} from "../../src/engine";
import {measureFimLayouts} from "../../src/engine/fimLayoutCost";
import {makeMarkovPair, MarkovPair} from "./helpers/markovPair";

describe("FIM layout cost per keystroke", function () {
  this.timeout(60_000);
  let pair: MarkovPair;
  let engine: DraftstopEngine;

  before(async () => {
    pair = makeMarkovPair({seed: 2, fimLayouts: ["psm", "spm"]});
    engine = await DraftstopEngine.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 1024});
  });
  after(async () => {
    await engine?.dispose();
    pair?.cleanup();
  });

  it("measures both layouts and picks SPM, which re-evaluates only the edited end of the prefix", async () => {
    assert.deepEqual(engine.info.target.fimLayouts, ["psm", "spm"]);
    const suffix = "abcdefgh".repeat(25);
    const measurement = await measureFimLayouts(engine, ["psm", "spm"], {prefix: "hgfedcba".repeat(20), suffix});
    const {psm, spm} = measurement.costs;
    assert.equal(spm!.tokensPerKeystroke, 1, "the typed character");
    assert.equal(psm!.tokensPerKeystroke, 1 + 1 + suffix.length, "the typed character, [SUF] and the whole suffix");
    assert.equal(measurement.chosen, "spm");
  });

  it("keeps a single supported layout", async () => {
    const measurement = await measureFimLayouts(engine, ["psm"]);
    assert.equal(measurement.chosen, "psm");
  });
});
