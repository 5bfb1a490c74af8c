// A long session on the tiny trained pair: 1 000 completions on varied prompts, in a process of
// its own (longSessionRun.ts). Memory does not grow after warm-up, judged by the slope of resident
// memory over many samples after GC (memorySlope.ts), and both sequences stay inside the context.
// A second, shorter run plants a leak, which the same check must catch.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {join} from "node:path";
import {recordFigure} from "./figures";
import type {LongSessionFigures} from "./longSessionRun";
import {slopePerCompletion} from "./memorySlope";

/**
 * The most a session may grow per completion, kB, once warm. A leak of this size is 30 MB over
 * 1 000 completions, and keeps growing. Resident memory climbs by about 12 MB over the first few
 * hundred completions (200 → 212 MB on the 2-core AMD EPYC, 21.6 kB per completion from 100 to
 * 600) and then levels off, so the slope is taken from WARM_COMPLETIONS on.
 */
const LEAK_BOUND_KB = 30;
const WARM_COMPLETIONS = 400;

function session(env: Record<string, string> = {}): LongSessionFigures {
  const run = spawnSync(process.execPath, ["--expose-gc", join(__dirname, "longSessionRun.js")],
    {encoding: "utf8", timeout: 18 * 60_000, env: {...process.env, ...env}});
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as LongSessionFigures;
}

describe("long session", function () {
  this.timeout(20 * 60_000);

  it("1 000 completions: resident memory does not grow after warm-up (its slope), sequences bounded by the context", () => {
    const f = session();
    const slopeKb = slopePerCompletion(f.rss.filter(sample => sample.completions >= WARM_COMPLETIONS)) / 1024;
    recordFigure("long session: RSS slope from 100 completions on (kB per completion)", (slopePerCompletion(f.rss) / 1024).toFixed(2));
    recordFigure("long session: RSS after 100 completions (MB)", (f.rss[0]!.bytes / 1e6).toFixed(1));
    recordFigure("long session: RSS after 1 000 completions (MB)", (f.rss.at(-1)!.bytes / 1e6).toFixed(1));
    recordFigure(`long session: RSS slope from ${WARM_COMPLETIONS} completions on (kB per completion)`, slopeKb.toFixed(2));
    recordFigure("long session: longest sequence / context (tokens)", `${f.longest} / ${f.contextSize}`);
    recordFigure("long session: 1 000 completions took (s)", f.seconds.toFixed(1));
    assert.equal(f.rss.length, 37);
    assert.ok(slopeKb < LEAK_BOUND_KB, `RSS grows ${slopeKb.toFixed(1)} kB per completion`);
    assert.ok(f.longest <= f.contextSize, `a sequence held ${f.longest} tokens`);
    assert.equal(f.generations, 1000);
  });

  it("the memory check catches a planted leak of 100 kB per completion", () => {
    const f = session({DRAFTSTOP_COMPLETIONS: "400", DRAFTSTOP_PLANTED_LEAK_KB: "100"});
    const slopeKb = slopePerCompletion(f.rss) / 1024;
    recordFigure("long session, planted leak of 100 kB: RSS slope (kB per completion)", slopeKb.toFixed(2));
    assert.ok(slopeKb >= LEAK_BOUND_KB, `the planted leak reads ${slopeKb.toFixed(1)} kB per completion`);
  });
});
