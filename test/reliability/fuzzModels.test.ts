// 10 000 seeded mutations of real GGUF headers (the tiny pair's target and draft, SmolLM2's draft
// and SmolLM2-135M itself): flipped bytes, wrong counts, wrong types, huge lengths, truncations,
// changed values, tensors and keys dropped or doubled (helpers/ggufMutations.ts). Each file goes
// through the header checks in this process, which stands in for the extension host: every one
// must pass them or be refused with a named reason, and this process must live through all of
// them. The files that pass go on to the real model process and llama.cpp, one after another: each
// loads (and generates), or is refused with an error, or aborts the process, which must come back
// with the last models that worked. The checks run while the model process loads the files
// before, so the two cores both work.
//
//   npx tsc -p . && node esbuild.mjs && npx mocha --no-config --timeout 1200000 \
//     --require ./out/test/reliability/figures.js out/test/reliability/fuzzModels.test.js
//
// About a third of the mutants pass the checks, and a load in the model process costs 0.3–3 s here
// (loading, the engine's calibration, and after a refusal the previous models again), so loading
// all of them would take most of an hour on the 2-core machine. The model process gets the first
// file of every kind of change (the kind and the field it touched, e.g. "valueEdit llama.block_count")
// and then every loadEvery-th that passed; DRAFTSTOP_FUZZ_LOAD_ALL=1 sends every one.
// DRAFTSTOP_FUZZ_MUTATIONS=n runs fewer (the sources keep their shares); DRAFTSTOP_FUZZ_SEED moves every seed.
import assert from "node:assert/strict";
import {readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {checkModelFiles} from "../../src/engine/modelPair";
import type {EngineLoadOptions} from "../../src/engine/engine";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {ensureSmolLM2} from "../../src/lab/modelmaker/smollm2/fetch";
import {recordFigure} from "./figures";
import {ggufLayoutOf} from "./helpers/ggufLayout";
import {Mutant, MutationKind, MutationSource, mutate} from "./helpers/ggufMutations";
import {FuzzedProcess, LoadOutcome} from "./helpers/fuzzedProcess";
import {ScratchFile, scratchFolder, writeMutant} from "./helpers/mutantFiles";
import {namedRefusal} from "./helpers/namedErrors";

const MUTATIONS = Number(process.env.DRAFTSTOP_FUZZ_MUTATIONS ?? 10_000);
const LOAD_ALL = process.env.DRAFTSTOP_FUZZ_LOAD_ALL === "1";
const BASE_SEED = Number(process.env.DRAFTSTOP_FUZZ_SEED ?? 0x5eed);
const CONTEXT_SIZE = 256;
/** Files that passed the checks and wait for the model process: enough to keep it busy, few enough to keep 100 MB copies off memory. */
const QUEUE = 2;

interface Source extends MutationSource {
  name: string;
  /** Share of the mutations. The tiny files take most: their loads cost a tenth of SmolLM2-135M's. */
  share: number;
  /** A mutant of a draft is loaded as the draft beside the good target; the others as a target alone. */
  options(path: string): EngineLoadOptions;
  /** Of the files that passed the checks, every this-many-th goes to the model process (besides the first of each kind of change). */
  loadEvery: number;
  /** A mutant of this file that loads stays loaded as the last working model (else the good pair is loaded again, so that the next refusal does not reload 100 MB). */
  keep: boolean;
}

interface Tally {
  refused: Map<string, number>;
  passed: number;
  /** Of those that passed, how many went to the model process. */
  loads: number;
  outcomes: Map<string, number>;
  aborts: Map<string, number>;
  unnamed: string[];
  /** Files that loaded but could not generate: not a refusal of the file, reported apart (the engine's errors on NaN logits are plain Errors). */
  generationErrors: string[];
  kinds: Map<MutationKind, {refused: number; passed: number}>;
  slowestCheckMs: number;
  /** Per source: mutations, passed, seconds in the checks, seconds in the model process. */
  perSource: Map<string, {mutations: number; passed: number; checkS: number; processS: number}>;
}

describe("fuzzed model files", function () {
  this.timeout(30 * 60_000);
  const hostScript = join(__dirname, "..", "..", "src", "modelProcess", "engineHost.js");

  it(`${MUTATIONS} mutated headers: each passes the checks or is refused by name, each that passes loads, is refused or aborts, and the process comes back after every abort`, async () => {
    const started = Date.now(); // for the run-time figure
    const tiny = tinyPairPaths();
    const smollm2 = await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop"), log: line => console.log(`  [models] ${line}`)});
    const good: EngineLoadOptions = {targetPath: tiny.target, draftPath: tiny.draft, threads: 1, contextSize: CONTEXT_SIZE};
    const alone = (path: string): EngineLoadOptions => ({targetPath: path, threads: 1, contextSize: CONTEXT_SIZE});
    const source = (name: string, path: string, share: number, loadEvery: number, keep: boolean, options = alone): Source => {
      const bytes = readFileSync(path);
      return {name, bytes, layout: ggufLayoutOf(bytes), share, loadEvery: LOAD_ALL ? 1 : loadEvery, keep, options};
    };
    const sources = [
      source("tiny target", tiny.target, 0.45, 10, true),
      source("tiny draft", tiny.draft, 0.35, 10, true, path => ({...good, draftPath: path})),
      source("SmolLM2 draft", join(repoRoot(), "media", "models", "smollm2", "draft.gguf"), 0.12, 15, false),
      source("SmolLM2-135M", smollm2, 0.08, 30, false)
    ];
    const changesSeen = new Set<string>();
    const folder = scratchFolder();
    const processHost = new FuzzedProcess(hostScript, good);
    const tally: Tally = {refused: new Map(), passed: 0, loads: 0, generationErrors: [], outcomes: new Map(), aborts: new Map(), unnamed: [], kinds: new Map(), slowestCheckMs: 0, perSource: new Map()};
    const hostPid = process.pid;
    try {
      await processHost.loadGood();
      const queue = new LoadQueue(QUEUE);
      // A failed check in the model process stops the checks here too, instead of leaving them waiting on a full queue.
      const loading = consume(queue, processHost, tally, folder).catch(error => queue.fail(error));
      let index = 0;
      for (const [s, src] of sources.entries()) {
        const count = s === sources.length - 1 ? MUTATIONS - index : Math.round(MUTATIONS * src.share);
        const scratch = new ScratchFile(join(folder, `check-${s}.gguf`), src.bytes);
        const spent = {mutations: count, passed: 0, checkS: 0, processS: 0};
        tally.perSource.set(src.name, spent);
        for (let i = 0; i < count; i++, index++) {
          const seed = BASE_SEED + index;
          const mutant = mutate(src, seed);
          scratch.write(mutant);
          // Now and then the in-place rewrite is compared with a whole copy, byte for byte.
          if (index % 997 === 0) assertSameFile(scratch.path, join(folder, "whole.gguf"), src.bytes, mutant);
          const checkStarted = performance.now();
          const reason = await check(src.options(scratch.path), scratch.path);
          const checkMs = performance.now() - checkStarted;
          tally.slowestCheckMs = Math.max(tally.slowestCheckMs, checkMs);
          spent.checkS += checkMs / 1000;
          const kind = tally.kinds.get(mutant.kind) ?? {refused: 0, passed: 0};
          tally.kinds.set(mutant.kind, kind);
          if (reason === "pass") {
            kind.passed++;
            tally.passed++;
            spent.passed++;
            const change = `${src.name}|${mutant.kind}|${changeOf(mutant)}`;
            const firstOfItsKind = !changesSeen.has(change);
            changesSeen.add(change);
            if (!firstOfItsKind && spent.passed % src.loadEvery !== 0) continue;
            tally.loads++;
            const path = join(folder, `load-${seed}.gguf`);
            writeMutant(path, src.bytes, mutant);
            await queue.put({path, options: src.options(path), keep: src.keep, label: label(src, seed, mutant), spent});
          } else if (reason.startsWith("unnamed")) tally.unnamed.push(`${label(src, seed, mutant)}: ${reason}`);
          else {
            kind.refused++;
            count1(tally.refused, reason);
          }
        }
      }
      queue.close();
      await loading;
      queue.rethrow();
      assert.equal(process.pid, hostPid);
    } finally {
      await processHost.dispose();
      rmSync(folder, {recursive: true, force: true});
    }

    const refused = [...tally.refused.values()].reduce((a, b) => a + b, 0);
    const aborts = [...tally.aborts.values()].reduce((a, b) => a + b, 0);
    recordFigure("fuzzing: mutations (tiny target / tiny draft / SmolLM2 draft / SmolLM2-135M)",
      `${MUTATIONS} (${sources.map(s => Math.round(MUTATIONS * s.share)).join(" / ")})`);
    recordFigure("fuzzing: refused by the header checks, by reason", `${refused} (${entries(tally.refused)})`);
    recordFigure("fuzzing: passed the header checks / of them loaded in the model process",
      `${tally.passed} / ${tally.loads} (the first of each of ${changesSeen.size} kinds of change, then every ${sources.map(s => s.loadEvery).join("/")}-th)`);
    recordFigure("fuzzing: in the model process: loaded and generated / refused by llama.cpp with an error", `${tally.outcomes.get("loaded") ?? 0} / ` +
      `${[...tally.outcomes].filter(([k]) => k.startsWith("refused")).reduce((a, [, n]) => a + n, 0)} (${entries(new Map([...tally.outcomes].filter(([k]) => k !== "loaded")))})`);
    recordFigure("fuzzing: model process aborts / came back with the last working models and generated", `${aborts} / ${aborts}${aborts ? ` (${entries(tally.aborts)})` : ""}`);
    recordFigure("fuzzing: unnamed errors", tally.unnamed.length);
    recordFigure("fuzzing: loaded, but the first generation failed", `${tally.generationErrors.length}${tally.generationErrors.length ? ` (${tally.generationErrors.slice(0, 3).join("; ")})` : ""}`);
    recordFigure("fuzzing: extension-host (test process) deaths", 0);
    recordFigure("fuzzing: by kind, refused / passed", [...tally.kinds].map(([k, v]) => `${k} ${v.refused}/${v.passed}`).join(", "));
    recordFigure("fuzzing: per source: mutations, passed, s in the checks, s in the model process", [...tally.perSource]
      .map(([name, t]) => `${name} ${t.mutations}, ${t.passed}, ${t.checkS.toFixed(0)}, ${t.processS.toFixed(0)}`).join("; "));
    recordFigure("fuzzing: slowest header check (ms)", tally.slowestCheckMs.toFixed(0));
    recordFigure("fuzzing: run time (s)", ((Date.now() - started) / 1000).toFixed(0));

    assert.deepEqual(tally.unnamed, [], "every bad file is refused with a named reason");
    assert.equal(refused + tally.passed, MUTATIONS);
    assert.equal([...tally.outcomes.values()].reduce((a, b) => a + b, 0) + aborts + tally.generationErrors.length, tally.loads, "every file sent went through the model process");
    // The fuzzer must reach both sides of the checks, or it tests nothing.
    assert.ok(tally.passed > 0 && refused > 0);
    assert.ok((tally.outcomes.get("loaded") ?? 0) > 0, "some mutants load");
  });
});

/** "pass", a named reason, or "unnamed …" with what was thrown. */
async function check(options: EngineLoadOptions, path: string): Promise<string> {
  try {
    await checkModelFiles(options);
    return "pass";
  } catch (error) {
    return namedRefusal(error, path) ?? `unnamed ${(error as Error)?.name}: ${(error as Error)?.message ?? error}`;
  }
}

interface Job {
  path: string;
  options: EngineLoadOptions;
  keep: boolean;
  label: string;
  spent: {processS: number};
}

/** Loads the queued files one by one; deletes each file once the process no longer holds it. */
async function consume(queue: LoadQueue, host: FuzzedProcess, tally: Tally, folder: string): Promise<void> {
  let held: string | undefined;
  for (let job = await queue.take(); job; job = await queue.take()) {
    const loadStarted = performance.now();
    const outcome: LoadOutcome = await host.tryLoad(job.options, job.keep);
    job.spent.processS += (performance.now() - loadStarted) / 1000;
    if (outcome.kind === "loaded") count1(tally.outcomes, "loaded");
    else if (outcome.kind === "aborted") count1(tally.aborts, `${outcome.at}: ${outcome.assertion} (e.g. ${job.label})`.slice(0, 400));
    else if (outcome.kind === "generationFailed") {
      tally.generationErrors.push(`${job.label}: ${outcome.code}: ${outcome.message}`);
      // NaN logits from a corrupt rope frequency once failed as a bare Error("empty distribution"): now model.badOutput.
      if (!outcome.named) tally.unnamed.push(`${job.label}: its first generation failed with an unnamed error: ${outcome.code}: ${outcome.message}`);
    }
    else if (!outcome.named) tally.unnamed.push(`${job.label}: the model process refused it with an unnamed error: ${outcome.code}: ${outcome.message}`);
    else count1(tally.outcomes, `refused ${outcome.code}`);
    const nowHeld = [host.client.loadedOptions?.targetPath, host.client.loadedOptions?.draftPath].find(p => p?.startsWith(folder));
    for (const path of new Set([held, job.path])) if (path && path !== nowHeld) rmSync(path, {force: true});
    held = nowHeld;
  }
}

/** A bounded queue between the checks (producer) and the model process (consumer). */
class LoadQueue {
  private readonly items: Job[] = [];
  private closed = false;
  private error: unknown;
  private notify: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  async put(job: Job): Promise<void> {
    while (this.items.length >= this.limit && this.error === undefined) await this.wait();
    this.rethrow();
    this.items.push(job);
    this.wakeUp();
  }

  async take(): Promise<Job | undefined> {
    while (this.items.length === 0 && !this.closed) await this.wait();
    const job = this.items.shift();
    this.wakeUp();
    return job;
  }

  fail(error: unknown): void {
    this.error = error ?? new Error("the model process side failed");
    this.wakeUp();
  }

  rethrow(): void {
    if (this.error !== undefined) throw this.error;
  }

  close(): void {
    this.closed = true;
    this.wakeUp();
  }

  private wait(): Promise<void> {
    return new Promise(resolve => (this.notify = resolve));
  }

  private wakeUp(): void {
    const notify = this.notify;
    this.notify = undefined;
    notify?.();
  }
}

function assertSameFile(scratchPath: string, wholePath: string, source: Buffer, mutant: Mutant): void {
  writeMutant(wholePath, source, mutant);
  assert.ok(readFileSync(scratchPath).equals(readFileSync(wholePath)), `the in-place rewrite of ${mutant.what} differs from a whole copy`);
  rmSync(wholePath);
}

/** The kind of change without its values: "blk.#.ffn_up.weight: dim #", "llama.block_count". */
function changeOf(mutant: Mutant): string {
  return mutant.what.split(/→|:=|: (?=\d)/)[0]!.replace(/\d+/g, "#").replace(/"[^"]*"/g, "\"…\"").trim();
}

function label(source: Source, seed: number, mutant: Mutant): string {
  return `${source.name}, seed ${seed} (${mutant.kind}: ${mutant.what.slice(0, 200)})`;
}

function count1<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function entries(map: Map<string, number>): string {
  return [...map].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
}
