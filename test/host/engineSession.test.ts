// The extension's view of the model process on the typing path: a completion is one request, and
// the statistics it changed come back with it.
import assert from "node:assert/strict";
import {join} from "node:path";
import {EngineSession} from "../../src/extension/session/engineSession";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

const HOST_SCRIPT = join(__dirname, "..", "..", "src", "modelProcess", "engineHost.js");

describe("engine session", function () {
  this.timeout(120_000);
  let pair: MarkovPair;
  let session: EngineSession;

  before(async () => {
    pair = makeMarkovPair({seed: 4, cycleBoost: 0.3});
    session = new EngineSession({hostScript: HOST_SCRIPT});
    await session.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
  });

  after(async () => {
    await session?.dispose();
    pair?.cleanup();
  });

  it("completes with one request to the model process, and its statistics arrive with it", async () => {
    await session.refreshStats();
    const before = session.snapshot.stats?.generations ?? 0;
    const sent = session.requestsSent;
    const summary = await session.complete({prefix: "abc", suffix: "dd"}, {maxTokens: 8, stopOnEog: false});
    assert.equal(session.requestsSent - sent, 1, "the generation alone");
    assert.equal(summary.tokenCount, 8);
    assert.equal(session.snapshot.stats?.generations, before + 1, "the status bar's figures include this completion");
    assert.equal(session.snapshot.policy?.name, "costAware");
    assert.ok(session.snapshot.calibration, "so does the calibration the panel shows");
  });

  it("leaves a background generation out of the statistics, still in one request", async () => {
    const before = session.snapshot.stats?.generations;
    const sent = session.requestsSent;
    await session.complete({prefix: "ab", suffix: ""}, {maxTokens: 4, stopOnEog: false}, undefined, true);
    assert.equal(session.requestsSent - sent, 1);
    assert.equal(session.snapshot.stats?.generations, before);
  });
});
