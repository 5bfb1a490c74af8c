// Model downloads against a real HTTP server on 127.0.0.1 serving real GGUF files, with the real
// node-llama-cpp downloader: resume after an interruption, files of the wrong size, a stalled or
// unreachable source, a full disk (a real tmpfs in a private mount namespace), and the same
// request through the model process.
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {once} from "node:events";
import {downloadModel, DownloadLimits} from "../../src/modelProcess/download";
import {DraftstopError} from "../../src/engine/errors";
import {EngineClient, RemoteEngineError} from "../../src/extension/session/engineClient";
import {Progress} from "../../src/protocol";
import {makeMarkovPair, MarkovPair} from "../engine/helpers/markovPair";
import {ModelServer, ServedRequest} from "./helpers/modelServer";
import {DOWNLOAD_CHUNK_BYTES, writeServedModel} from "./helpers/servedModel";
import {run, runOnTinyDisk, runWithoutNetwork} from "./helpers/isolated";
import type {ChildOutcome} from "./helpers/downloadChild";
import {recordFigure} from "./figures";

const HOST_SCRIPT = join(__dirname, "..", "..", "src", "modelProcess", "engineHost.js");
const CHILD_SCRIPT = join(__dirname, "helpers", "downloadChild.js");

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const ranged = (requests: ServedRequest[]) => requests.filter(r => r.range !== undefined);
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms)); // a polling interval, never a verdict

function download(uri: string, directory: string, options: {signal?: AbortSignal; limits?: DownloadLimits} = {}) {
  return downloadModel(uri, directory, options.signal ?? new AbortController().signal, () => {}, options.limits);
}

function rejectsWith(code: string, check: (error: DraftstopError) => void = () => {}) {
  return (error: unknown) => {
    assert.ok(error instanceof DraftstopError, `expected a DraftstopError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check(error);
    return true;
  };
}

function runChild(args: string[]) {
  return run(process.execPath, [CHILD_SCRIPT, ...args]);
}

function childOutcomes(stdout: string): ChildOutcome[] {
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as ChildOutcome[];
}

// Every failure below is told apart by its message, which names the limit of ours that cut it. The
// suite's timeout only fails a hung test: without those limits node-llama-cpp's downloader retries
// for ~12 minutes, and a held response never ends.
describe("model downloads", function () {
  this.timeout(120_000);
  let fixtures: string;
  let served: Buffer; // 13.6 MB: three 5 MiB chunks
  let pair: MarkovPair; // ~3.1 MB each: one chunk
  let target: Buffer;
  let dir: string;
  const servers: ModelServer[] = [];

  const serve = async (options: Parameters<typeof ModelServer.start>[0]) => {
    const server = await ModelServer.start(options);
    servers.push(server);
    return server;
  };

  before(() => {
    fixtures = mkdtempSync(join(tmpdir(), "draftstop-dl-fixtures-"));
    served = writeServedModel(join(fixtures, "served.gguf"));
    pair = makeMarkovPair({seed: 7});
    target = readFileSync(pair.targetPath);
    assert.ok(served.length > 2 * DOWNLOAD_CHUNK_BYTES, "the served model spans three chunks");
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-dl-"));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.close()));
    rmSync(dir, {recursive: true, force: true});
  });

  after(() => {
    pair?.cleanup();
    rmSync(fixtures, {recursive: true, force: true});
  });

  it("resumes an interrupted download from its completed chunks and ends with the same bytes", async () => {
    const server = await serve({path: "/models/served.gguf", body: served});
    // Responses stop 1.5 MB into the third chunk: chunks one and two complete, the third is cut.
    server.hold(2 * DOWNLOAD_CHUNK_BYTES + 1_500_000);
    const controller = new AbortController();
    const first = download(server.url, dir, {signal: controller.signal});
    await server.until(requests => ranged(requests).some(r => r.held) && ranged(requests).every(r => r.ended || r.held));
    await partialRecorded(join(dir, "served.gguf.ipull"), served.length);
    controller.abort();
    await assert.rejects(first, rejectsWith("download.cancelled", e => assert.match(e.message, /resume/)));
    assert.ok(!existsSync(join(dir, "served.gguf")), "no final file after an abort");
    assert.ok(existsSync(join(dir, "served.gguf.ipull")), "the partial file is kept");

    const firstAttempt = server.requests.length;
    server.release();
    const result = await download(server.url, dir);
    assert.equal(result.path, join(dir, "served.gguf"));
    assert.equal(result.totalBytes, served.length);
    assert.equal(sha256(readFileSync(result.path)), sha256(served));
    assert.ok(!existsSync(join(dir, "served.gguf.ipull")));

    // At least one whole chunk came from the partial file, not from the server again.
    const resumed = ranged(server.requests.slice(firstAttempt));
    assert.ok(resumed.length > 0, "the second attempt asked for ranges");
    const refetched = resumed.reduce((sum, r) => sum + r.bytesSent, 0);
    assert.ok(refetched <= served.length - DOWNLOAD_CHUNK_BYTES,
      `resumed with ${refetched} of ${served.length} bytes (${resumed.map(r => r.range).join(", ")})`);
    recordFigure("downloads: bytes fetched again on resume / file size", `${refetched} / ${served.length}`);
  });

  it("rejects and deletes a file whose GGUF header says it is cut short (a truncated copy on the server)", async () => {
    const truncated = target.subarray(0, target.length - 100_000);
    const server = await serve({path: "/models/target.gguf", body: truncated});
    await assert.rejects(download(server.url, dir), rejectsWith("download.wrongSize", e => {
      assert.ok(e.message.includes(server.url), e.message);
      const [, actual, needed] = /(\d+) bytes, its tensors need (\d+)/.exec(e.message) ?? [];
      assert.equal(Number(actual), truncated.length, e.message);
      assert.ok(Number(needed) > truncated.length && Number(needed) <= target.length, e.message);
      assert.match(e.message, /deleted/);
    }));
    assert.deepEqual(readdirSync(dir), [], "the bad file is deleted");
  });

  it("rejects and deletes a file whose size differs from what the server announced", async () => {
    // A stale HEAD answer (a CDN that still describes an older file): the transfer is consistent
    // with itself, so only the announced size tells that something is off.
    const server = await serve({path: "/models/target.gguf", body: target, headLength: target.length + 4096});
    await assert.rejects(download(server.url, dir), rejectsWith("download.wrongSize", e => {
      assert.ok(e.message.includes(server.url), e.message);
      assert.ok(e.message.includes(`expected ${target.length + 4096} bytes, got ${target.length}`), e.message);
    }));
    assert.deepEqual(readdirSync(dir), []);
  });

  it("rejects and deletes a file that is not a model (an HTML page served in its place)", async () => {
    const page = Buffer.from("<!doctype html><html><body>Please sign in to continue</body></html>\n".repeat(50));
    const server = await serve({path: "/models/target.gguf", body: page});
    await assert.rejects(download(server.url, dir), rejectsWith("download.corrupt", e => {
      assert.ok(e.message.includes(server.url), e.message);
      assert.match(e.message, /not a GGUF file/);
    }));
    assert.deepEqual(readdirSync(dir), []);
  });

  it("does not take a file of the wrong size already at the target path", async () => {
    writeFileSync(join(dir, "target.gguf"), target.subarray(0, 1_000_000));
    const server = await serve({path: "/models/target.gguf", body: target});
    const result = await download(server.url, dir);
    assert.equal(sha256(readFileSync(result.path)), sha256(target));
    assert.equal(ranged(server.requests).reduce((sum, r) => sum + r.bytesSent, 0), target.length, "the whole file was fetched");
  });

  it("replaces a file of the right size but not a model, which the downloader would have kept", async () => {
    writeFileSync(join(dir, "target.gguf"), Buffer.alloc(target.length, 7));
    const server = await serve({path: "/models/target.gguf", body: target});
    const result = await download(server.url, dir);
    assert.equal(sha256(readFileSync(result.path)), sha256(target));
    assert.ok(ranged(server.requests).length > 0, "fetched after the existing file failed the check");
  });

  it("gives up a stalled download by its own stall timer, keeping the partial file for a resume", async () => {
    // The downloader keeps a chunk in memory until all its 5 MiB have arrived: stall in the second
    // chunk of the big model so that the first one is on disk.
    const server = await serve({path: "/models/served.gguf", body: served});
    server.hold(DOWNLOAD_CHUNK_BYTES + 1_000_000);
    const started = Date.now(); // a figure for the report
    await assert.rejects(download(server.url, dir, {limits: {stallMs: 1_500}}), rejectsWith("download.failed", e => {
      assert.ok(e.message.includes(server.url), e.message);
      // The stall watchdog's own words, with the limit it was given: not a connection error.
      assert.match(e.message, /no data arrived for 1\.5 s/);
    }));
    recordFigure("downloads: stall of 1.5 s given up after (ms)", Date.now() - started); // a figure, never a verdict
    assert.ok(ranged(server.requests).some(r => r.held && !r.finished), "the server was still holding the response: the download gave up, not the server");
    assert.ok(existsSync(join(dir, "served.gguf.ipull")));
    server.release();
    const result = await download(server.url, dir);
    assert.equal(sha256(readFileSync(result.path)), sha256(served));
  });

  it("fails at the first refused connection, with a clear error, when nothing listens at the source", async () => {
    const port = await closedPort();
    const uri = `http://127.0.0.1:${port}/models/target.gguf`;
    const started = Date.now(); // a figure for the report
    await assert.rejects(download(uri, dir), rejectsWith("download.failed", e => {
      assert.ok(e.message.includes(uri), e.message);
      // The probe's words with the refusal's code: it failed on the refusal itself, before
      // node-llama-cpp's downloader (which alone retries for ~12 minutes) was started.
      assert.match(e.message, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    }));
    recordFigure("downloads: unreachable source reported after (ms)", Date.now() - started); // a figure, never a verdict
  });

  it("fails on the first answer, with a clear error, when the file is not on the server", async () => {
    const server = await serve({path: "/models/target.gguf", body: target});
    const uri = server.url.replace("target.gguf", "missing.gguf");
    await assert.rejects(download(uri, dir), rejectsWith("download.failed", e => {
      assert.ok(e.message.includes(uri), e.message);
      assert.match(e.message, /the server has no such file \(HTTP 404\)/);
    }));
    // Told by the first answer: the downloader, which retries, never asked.
    assert.deepEqual(server.requests.map(r => `${r.method} ${r.url}`), ["HEAD /models/missing.gguf"]);
  });

  it("gives up by its own connect timer on a server that answers only errors", async () => {
    // node-llama-cpp's downloader retries 5xx answers for ~12 minutes and cannot be stopped; run
    // it in a child process so that its retries end with the process, not keep mocha alive.
    const server = await serve({path: "/models/target.gguf", body: target, errorStatus: 503});
    const run = await runChild(["--connect-ms", "1500", dir, server.url]);
    assert.equal(run.code, 0, run.stderr);
    const [outcome] = childOutcomes(run.stdout);
    assert.equal(outcome?.error?.code, "download.failed", JSON.stringify(outcome));
    assert.ok(outcome.error.message.includes(server.url), outcome.error.message);
    // The connect timer's own words, with the limit it was given and what the server answered.
    assert.match(outcome.error.message, /did not describe the file within 1\.5 s \(it answers HTTP 503\)/);
    recordFigure("downloads: server answering 503 given up after (ms, connect limit 1 500)", outcome.ms);
  });

  it("fails at the first network error, with a clear error, for hf: URIs when there is no network", async () => {
    const uris = ["hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf", "hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF:Q8_0"];
    const child = await runWithoutNetwork(CHILD_SCRIPT, [dir, ...uris]);
    assert.equal(child.code, 0, child.stderr);
    const outcomes = childOutcomes(child.stdout);
    for (const [i, outcome] of outcomes.entries()) {
      assert.equal(outcome.uri, uris[i]);
      assert.equal(outcome.error?.code, "download.failed", JSON.stringify(outcome));
      assert.ok(outcome.error.message.includes(uris[i]!), outcome.error.message);
      // The system's error code (here EAI_AGAIN: no name server to ask), not "no answer within
      // 15 s": it failed on the error, without waiting out the connect limit.
      assert.match(outcome.error.message, /cannot reach huggingface\.co \(E[A-Z_]+\)/);
      recordFigure(`downloads: hf: URI ${i + 1} without network reported after (ms)`, outcome.ms);
    }
  });

  it("refuses before downloading when the disk cannot hold the model", async () => {
    const server = await serve({path: "/models/target.gguf", body: target});
    const child = await runOnTinyDisk(dir, "64k", CHILD_SCRIPT, [dir, server.url]);
    assert.equal(child.code, 0, child.stderr);
    const [outcome] = childOutcomes(child.stdout);
    assert.equal(outcome?.error?.code, "download.diskFull", JSON.stringify(outcome));
    assertDiskFullMessage(outcome.error.message, server.url);
    assert.equal(ranged(server.requests).length, 0, "nothing was fetched");
  });

  it("reports a disk that fills up during the download, without ending the process", async () => {
    // Each model fits the 4 MiB disk alone, not both: the check up front passes for each, and the
    // writes fail. Both transfers wait at their first byte until both checks have passed.
    const draft = readFileSync(pair.draftPath);
    const sources = [await serve({path: "/models/target.gguf", body: target}), await serve({path: "/models/draft.gguf", body: draft})];
    for (const source of sources) source.hold(1);
    const running = runOnTinyDisk(dir, "4m", CHILD_SCRIPT, [dir, ...sources.map(s => s.url)]);
    await Promise.all(sources.map(source => source.until(requests => ranged(requests).some(r => r.held))));
    for (const source of sources) source.release();
    const child = await running;
    assert.equal(child.code, 0, `the process survived the failed writes: ${child.stderr}`);
    const outcomes = childOutcomes(child.stdout);
    const failed = outcomes.filter(o => o.error);
    assert.ok(failed.length >= 1, JSON.stringify(outcomes));
    for (const outcome of failed) {
      assert.equal(outcome.error?.code, "download.diskFull", JSON.stringify(outcome));
      assertDiskFullMessage(outcome.error.message, outcome.uri);
      assert.match(outcome.error.message, /no space left on device/, "failed while writing, past the check up front");
    }
  });

  describe("through the model process", () => {
    let client: EngineClient;

    before(() => {
      client = new EngineClient({hostScript: HOST_SCRIPT});
    });

    after(async () => {
      await client?.dispose();
    });

    it("reports progress up to the total and returns the path", async () => {
      const server = await serve({path: "/models/target.gguf", body: target, pieceDelayMs: 15});
      const progress: Progress[] = [];
      const result = await client.api.download({uri: server.url, directory: dir}, {onProgress: p => progress.push(p)});
      assert.equal(result.path, join(dir, "target.gguf"));
      assert.equal(result.totalBytes, target.length);
      assert.equal(sha256(readFileSync(result.path)), sha256(target));
      assert.ok(progress.length >= 3, `${progress.length} progress events`);
      for (const [i, p] of progress.entries()) {
        assert.equal(p.total, target.length);
        if (i > 0) assert.ok(p.done >= progress[i - 1]!.done, "progress never goes back");
      }
      assert.ok(progress[0]!.done < target.length);
      assert.equal(progress.at(-1)!.done, target.length);
    });

    it("cancels through an AbortSignal and keeps the partial file", async () => {
      const server = await serve({path: "/models/served.gguf", body: served});
      server.hold(DOWNLOAD_CHUNK_BYTES + 1_000_000);
      const controller = new AbortController();
      const running = client.api.download({uri: server.url, directory: dir}, {signal: controller.signal});
      await server.until(requests => ranged(requests).some(r => r.held) && ranged(requests).every(r => r.ended || r.held));
      await partialRecorded(join(dir, "served.gguf.ipull"), served.length);
      controller.abort();
      await assert.rejects(running, (error: unknown) => error instanceof RemoteEngineError && error.code === "download.cancelled");
      assert.ok(existsSync(join(dir, "served.gguf.ipull")));
      assert.ok(!existsSync(join(dir, "served.gguf")));
    });
  });
});

/**
 * Waits until the downloader has recorded a completed chunk in its partial file: it keeps a chunk
 * in memory until all of it has arrived, then writes it and appends its progress record after the
 * file's full length, so the partial file grows past `fullLength`.
 */
async function partialRecorded(partialPath: string, fullLength: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs; // only fails a hung test
  while (!(existsSync(partialPath) && statSync(partialPath).size > fullLength)) {
    if (Date.now() > deadline) throw new Error(`${partialPath} holds no completed chunk after ${timeoutMs} ms`); // the hang guard
    await sleep(20);
  }
}

function assertDiskFullMessage(message: string, uri: string): void {
  assert.ok(message.includes(uri), message);
  assert.match(message, /the disk is full/);
  assert.match(message, /draftstop\.modelDirectory/);
}

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as {port: number}).port;
  server.close();
  await once(server, "close");
  return port;
}
