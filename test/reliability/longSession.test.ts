// A long session on the tiny trained pair: 1 000 completions on varied prompts, in a process of
// its own (longSessionRun.ts). Memory stays flat after warm-up and both sequences stay inside the
// context.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {join} from "node:path";
import {recordFigure} from "./figures";
import type {LongSessionFigures} from "./longSessionRun";

describe("long session", function () {
  this.timeout(20 * 60_000);

  it("1 000 completions: resident memory grows < 5 % after warm-up, sequences bounded by the context", () => {
    const run = spawnSync(process.execPath, ["--expose-gc", join(__dirname, "longSessionRun.js")], {encoding: "utf8", timeout: 18 * 60_000});
    assert.equal(run.status, 0, run.stderr);
    const f = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as LongSessionFigures;
    const growth = (f.rssAt1000 - f.rssAt100) / f.rssAt100;
    recordFigure("long session: RSS after 100 completions (MB)", (f.rssAt100 / 1e6).toFixed(1));
    recordFigure("long session: RSS after 1 000 completions (MB)", (f.rssAt1000 / 1e6).toFixed(1));
    recordFigure("long session: growth after warm-up", `${(growth * 100).toFixed(2)} %`);
    recordFigure("long session: longest sequence / context (tokens)", `${f.longest} / ${f.contextSize}`);
    recordFigure("long session: 1 000 completions took (s)", f.seconds.toFixed(1));
    assert.ok(growth < 0.05, `RSS grew ${(growth * 100).toFixed(2)} % from ${f.rssAt100} to ${f.rssAt1000}`);
    assert.ok(f.longest <= f.contextSize, `a sequence held ${f.longest} tokens`);
    assert.equal(f.generations, 1000);
  });
});
