// The traces file the signal bound and the replay share: traces are read back only for the same
// tasks, and recorded (with the real tiny pair) where the file holds other ones.
import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {BenchTask} from "../../src/benchmark/tasks";
import {pairTraces, PairTraces} from "../../src/lab/cli/pairTraces";

describe("the traces file", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "draftstop-traces-"))));
  after(() => rmSync(dir, {recursive: true, force: true}));

  it("reads traces back only for the same tasks, and records them where the file holds others", async () => {
    const file = join(dir, "traces.json");
    const tasks: BenchTask[] = [{id: "a", prefix: "function add(a, b) {\n  return ", suffix: ";\n}\n"}];
    // Traces the models could not have given (no position matches), kept for a task of another id.
    const planted = {matches: Array<boolean>(8).fill(false), entropies: Array<number>(8).fill(9)};
    writeFileSync(file, JSON.stringify([{pair: "tiny", maxTokens: 8, signal: "entropy", sets: {fim: [planted]}, taskIds: {fim: ["b"]}} satisfies PairTraces]));
    const lines: string[] = [];
    const recorded = await pairTraces("tiny", new Map([["fim", tasks]]), 8, {file, log: line => lines.push(line)});
    assert.ok(!lines.some(line => line.includes("read from")), "another task's traces are not read");
    assert.equal(recorded.sets.fim!.length, 1);
    assert.equal(recorded.sets.fim![0]!.matches.length, 8);
    assert.ok(recorded.sets.fim![0]!.entropies.every(h => h < 9), "recorded from the models, not the planted trace");
    const kept = JSON.parse(readFileSync(file, "utf8")) as PairTraces[];
    assert.deepEqual(kept.map(t => t.taskIds), [{fim: ["a"]}], "the file now holds the recorded tasks, in place of the others");

    lines.length = 0;
    const again = await pairTraces("tiny", new Map([["fim", tasks]]), 8, {file, log: line => lines.push(line)});
    assert.ok(lines.some(line => line.includes("read from")), "the same tasks are read back");
    assert.deepEqual(again.sets, JSON.parse(JSON.stringify(recorded.sets)), "the same traces (a gap in afterRejection reads back as null)");
  });
});
