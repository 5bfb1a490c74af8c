// The model process behind the extension: requests over IPC, typed errors across the process
// boundary, the last working models kept on bad input, and recovery after llama.cpp aborts.
import assert from "node:assert/strict";
import {once} from "node:events";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {CrashReport, EngineClient, EngineCrashedError, RemoteEngineError} from "../../src/extension/session/engineClient";
import {LoadResult} from "../../src/protocol";
import {markovModelSpec, markovVocabulary} from "../fixtures/gguf/markovModel";
import {writeGguf} from "../../src/lab/modelmaker/ggufWriter";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";

const HOST_SCRIPT = join(__dirname, "..", "..", "src", "modelProcess", "engineHost.js");

describe("engine client and model process", function () {
  this.timeout(120_000);
  let pair: MarkovPair;
  let dir: string;
  let client: EngineClient;

  before(async () => {
    pair = makeMarkovPair({seed: 4, cycleBoost: 0.3});
    dir = mkdtempSync(join(tmpdir(), "draftstop-host-"));
    client = new EngineClient({hostScript: HOST_SCRIPT});
    await client.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
  });

  after(async () => {
    await client?.dispose();
    pair?.cleanup();
    rmSync(dir, {recursive: true, force: true});
  });

  it("runs generations in a separate process", async () => {
    assert.ok(client.pid && client.pid !== process.pid);
    const summary = await client.api.generate({prompt: {fim: {prefix: "abc", suffix: "dd"}}, options: {maxTokens: 12, stopOnEog: false}});
    assert.equal(summary.tokenCount, 12);
    assert.equal(summary.text.length, 12);
    assert.equal(summary.promptLayout, "psm");
    assert.equal(summary.promptTokens, 1 + 3 + 3 + 2);
    assert.ok(summary.rounds.length > 0 && summary.policy === "costAware", "the default policy is cost-aware AdaEDL");
    const stats = await client.api.stats();
    assert.equal(stats?.summary.tokens, 12);
    assert.equal(stats?.policy.name, "costAware");
    assert.equal(stats?.calibration.greedyCosts.target.length, 17, "the cost model travels with the statistics");
    assert.equal(typeof stats?.policy.state.lambda, "number");
  });

  it("aborts a running generation through an AbortSignal", async () => {
    const controller = new AbortController();
    const running = client.api.generate({prompt: {text: "ab"}, options: {maxTokens: 100_000, stopOnEog: false}}, {signal: controller.signal});
    // Aborted right after the request is sent: the cancel message follows it on the channel and the
    // host sees it at the generation's first pass. (An abort on a 50 ms timer lost the race to the
    // 256-token context filling up — "contextFull" — with two busy loops beside the test.)
    controller.abort();
    const summary = await running;
    assert.equal(summary.stopReason, "abort");
    assert.ok(summary.tokenCount < 100_000);
  });

  it("reports a bad model with its path and problem and keeps the working models", async () => {
    const bad = join(dir, "notes.gguf");
    writeFileSync(bad, "not a model at all");
    await assert.rejects(client.load({targetPath: bad, threads: 1}), (error: unknown) =>
      error instanceof RemoteEngineError && error.name === "ModelFileError" && error.code === "model.notGguf" && error.path === bad);
    const summary = await client.api.generate({prompt: {text: "ab"}, options: {maxTokens: 4}});
    assert.equal(summary.tokenCount, 4, "the previous models still complete");
    assert.equal(client.loadedOptions?.targetPath, pair.targetPath);
  });

  it("rejects bad options naming the option, and keeps the policy", async () => {
    await assert.rejects(client.api.setPolicy({name: "adaedl", gamma: -2}), (error: unknown) =>
      error instanceof RemoteEngineError && error.option === "adaedl.gamma");
    await assert.rejects(client.api.generate({prompt: {text: "a"}, options: {maxTokens: Number.NaN}}),
      (error: unknown) => error instanceof RemoteEngineError && error.option === "maxTokens");
  });

  it("falls back to the target alone when the draft cannot be used", async () => {
    const badDraft = join(dir, "empty.gguf");
    writeFileSync(badDraft, "");
    const result = await client.load({targetPath: pair.targetPath, draftPath: badDraft, threads: 1, contextSize: 256});
    assert.equal(result.info.draft, undefined);
    assert.equal(result.draftError?.problem, "empty");
    assert.equal(result.draftError?.role, "draft");
    const summary = await client.api.generate({prompt: {text: "ab"}, options: {maxTokens: 6}});
    assert.equal(summary.totals.drafted, 0);
    assert.equal(summary.tokenCount, 6);
    await client.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 256});
  });

  it("survives a model that makes llama.cpp abort: reports why and brings the last models back", async () => {
    const hostile = join(dir, "hostile.gguf");
    const vocabulary = markovVocabulary();
    writeGguf(hostile, markovModelSpec({transitions: vocabulary.texts.map(() => new Map([[vocabulary.idOf("a"), 1]])),
      omitMetadata: ["llama.attention.head_count"]}));
    const oldPid = client.pid;
    const crashed = once(client, "crash") as Promise<[CrashReport]>;
    const recovered = once(client, "recovered") as Promise<[LoadResult]>;
    // skipPreflight lets the file through to llama.cpp, as a file that fools the checks would.
    await assert.rejects(client.load({targetPath: hostile, threads: 1, skipPreflight: true}), EngineCrashedError);
    const [crash] = await crashed;
    assert.match(crash.reason, /SIGABRT|code/);
    assert.match(crash.stderr, /GGML_ASSERT|assert/i);
    assert.equal(crash.duringLoad?.targetPath, hostile);
    // The suite's timeout only fails a recovery that never comes; how long it took is not the point.
    const [result] = await recovered;
    assert.equal(result.info.target.path, pair.targetPath);
    assert.notEqual(client.pid, oldPid, "a new model process");
    const summary = await client.api.generate({prompt: {text: "abc"}, options: {maxTokens: 5}});
    assert.equal(summary.tokenCount, 5);
  });

  it("stops the model process on dispose", async () => {
    const other = new EngineClient({hostScript: HOST_SCRIPT});
    await other.api.resources();
    const pid = other.pid!;
    await other.dispose();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
