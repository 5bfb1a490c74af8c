// The real model process behind an EngineClient, fed one file after another that passed the header
// checks. Each load ends one of three ways: the models load (and then generate), llama.cpp refuses
// them with an error the process reports, or llama.cpp aborts the process, after which the client
// must bring a new one back with the last models that worked, and those must generate.
import assert from "node:assert/strict";
import type {EngineLoadOptions} from "../../../src/engine/engine";
import {EngineClient, EngineCrashedError, RemoteEngineError} from "../../../src/extension/session/engineClient";
import type {LoadResult} from "../../../src/protocol";
import {isNamedModelFileProblem} from "./namedErrors";

export type LoadOutcome =
  | {kind: "loaded"}
  /** `code` is the error's code (model.loadFailed …); `named` says whether it is one of Draftstop's typed errors. */
  | {kind: "refused"; code: string; named: boolean; message: string}
  /** `at`: whether the load or the first generation aborted; `assertion`: llama.cpp's last words on stderr. */
  | {kind: "aborted"; at: "load" | "generation"; assertion: string}
  /** The models loaded, but the first generation failed with this error (named or not). */
  | {kind: "generationFailed"; code: string; named: boolean; message: string};

/** Longest a load of a tiny or 135M model may take here before it counts as hung (it takes under 3 s). */
const LOAD_LIMIT_MS = 120_000;
const CHECK_GENERATION = {prompt: {text: "def add(a, b):\n"}, options: {maxTokens: 2, stopOnEog: false}} as const;

export class FuzzedProcess {
  readonly client: EngineClient;
  private readonly recoveries: Array<LoadResult | undefined> = [];
  private failure: Error | undefined;
  private lastStderr = "";
  private wake: () => void = () => {};

  constructor(hostScript: string, private readonly good: EngineLoadOptions) {
    // Every abort restarts the process: the default limit (3 in a minute) is for users, not for a fuzzer.
    this.client = new EngineClient({hostScript, maxRestarts: Number.MAX_SAFE_INTEGER, restartWindowMs: 1});
    this.client.on("recovered", result => (this.recoveries.push(result), this.wake()));
    this.client.on("failed", error => ((this.failure = error), this.wake()));
    this.client.on("crash", report => (this.lastStderr = `${report.reason}\n${report.stderr}`));
  }

  get pid(): number | undefined {
    return this.client.pid;
  }

  async loadGood(): Promise<void> {
    await this.client.load(this.good);
  }

  /** Loads `options`; `keep`: whether a model that loads stays as the last working one (else the good pair is loaded again). */
  async tryLoad(options: EngineLoadOptions, keep: boolean): Promise<LoadOutcome> {
    const before = this.client.loadedOptions;
    const pid = this.client.pid;
    const seen = this.recoveries.length;
    try {
      await this.withLimit(this.client.load(options));
    } catch (error) {
      if (error instanceof EngineCrashedError) {
        await this.expectRecovery(before, pid, seen);
        return {kind: "aborted", at: "load", assertion: lastWords(this.lastStderr)};
      }
      return refusal(error);
    }
    try {
      await this.client.api.generate(CHECK_GENERATION);
    } catch (error) {
      if (!(error instanceof EngineCrashedError)) {
        await this.loadGood();
        const {code, named, message} = refusal(error) as Extract<LoadOutcome, {kind: "refused"}>;
        return {kind: "generationFailed", code, named, message};
      }
      // The process comes back with these models (they loaded), which abort again when they
      // generate: what comes back is checked, then the good pair replaces them.
      await this.expectRecovery(options, pid, seen, false);
      await this.loadGood();
      await this.expectGeneration();
      return {kind: "aborted", at: "generation", assertion: lastWords(this.lastStderr)};
    }
    if (!keep) await this.loadGood();
    return {kind: "loaded"};
  }

  /** The client's next "recovered" must hold `expected`, in a new process; then it generates. */
  /** `seen`: recoveries before the load, so that one that came quickly is not missed. */
  private async expectRecovery(expected: EngineLoadOptions | undefined, pidBefore: number | undefined, seen: number, generate = true): Promise<void> {
    while (this.recoveries.length === seen && !this.failure) await new Promise<void>(resolve => (this.wake = resolve));
    if (this.failure) throw new Error(`the model process did not come back: ${this.failure.message}`);
    const result = this.recoveries[seen];
    assert.ok(expected, "an abort before any models were loaded");
    assert.equal(result?.info.target.path, expected.targetPath, "the process comes back with the last working target");
    assert.equal(result?.info.draft?.path, expected.draftPath, "and the last working draft");
    assert.notEqual(this.client.pid, pidBefore, "in a new process");
    if (generate) await this.expectGeneration();
  }

  private async expectGeneration(): Promise<void> {
    const summary = await this.client.api.generate(CHECK_GENERATION);
    assert.equal(summary.tokenCount, 2, "the models that came back generate");
  }

  /** A hung load is killed, which the client reports as a crash; the test then fails on the outcome. */
  private async withLimit<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const pid = this.client.pid;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (pid) process.kill(pid, "SIGKILL");
        reject(new Error(`a load took over ${LOAD_LIMIT_MS / 1000} s; the model process was killed`));
      }, LOAD_LIMIT_MS);
    });
    try {
      return await Promise.race([work, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}

function refusal(error: unknown): LoadOutcome {
  const e = error as Error;
  if (error instanceof RemoteEngineError) {
    const named = error.name === "ModelFileError" ? isNamedModelFileProblem(error.problem) : error.code !== "engine.error";
    return {kind: "refused", code: error.code, named, message: error.message};
  }
  return {kind: "refused", code: e?.name ?? "unknown", named: false, message: e?.message ?? String(error)};
}

/** The line that says why llama.cpp gave up (GGML_ASSERT … or the like), without the build's file path. */
function lastWords(stderr: string): string {
  const lines = stderr.split("\n").map(l => l.trim()).filter(Boolean);
  // The first line is the exit (SIGABRT, another signal, a code).
  const line = lines.find(l => /GGML_ASSERT|assert/i.test(l)) ?? lines.find(l => /terminate|what\(\)/i.test(l)) ?? lines[0] ?? "(nothing)";
  if (process.env.DRAFTSTOP_FUZZ_STDERR) console.log(`--- abort, stderr:\n${stderr}\n---`);
  return line.replace(/^.*?\/(ggml|src|llama)\//, "$1/").slice(0, 160);
}
