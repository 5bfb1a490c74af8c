import assert from "node:assert/strict";
import {join} from "node:path";
import {measurePassCost, passCostTableText} from "../../src/cli/passcost";

describe("passcost", function () {
  this.timeout(120_000);

  it("times passes over 1..N tokens on a real GGUF and prints C(n)/C(1)", async () => {
    const model = join(__dirname, "..", "..", "..", "src", "modelmaker", "tinypair", "target.gguf");
    const report = await measurePassCost({model, threads: 1, gpu: false, context: 64, repeats: 3, max: 9});
    assert.equal(report.ms.length, 9);
    assert.equal(report.ratio[0], 1);
    assert.ok(report.ms.every(ms => ms > 0));
    // Nine tokens in one pass cost more than one token, and less than nine passes of one token.
    assert.ok(report.ratio[8]! > 1 && report.ratio[8]! < 9, `C(9)/C(1) = ${report.ratio[8]}`);
    assert.equal(report.contextLength, 64);
    const table = passCostTableText(report);
    assert.match(table, /context 64, median of 3/);
    assert.equal(table.split("\n").length, 3 + 9);
  });
});
