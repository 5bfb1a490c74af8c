// The CLI's pair choice (src/lab/cli/pairs.ts) and the completion-quality score
// (src/lab/cli/completionQuality.ts), and that the sample file's suggestions point at real lines.
import assert from "node:assert/strict";
import {existsSync, mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {scoreFirstLine} from "../../src/lab/cli/completionQuality";
import {namedPair} from "../../src/lab/cli/pairs";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {ModelFetchError} from "../../src/lab/modelmaker/smollm2/fetch";
import {SAMPLE_FILE, sampleLineEnd, SAMPLE_SUGGESTIONS} from "../../src/lab/cli/sample";

describe("cli: pairs, completion quality, the sample file", () => {
  it("scores a completion's first line against the removed text", () => {
    assert.deepEqual(scoreFirstLine("  b.y - a.y;\n  return 1;", "b.y - a.y;  "), {firstLine: "b.y - a.y;", nonEmpty: true, exact: true, editSimilarity: 1});
    const near = scoreFirstLine("b.y - a.x;", "b.y - a.y;");
    assert.equal(near.exact, false);
    assert.equal(near.editSimilarity, 0.9);
    assert.deepEqual(scoreFirstLine("\nreturn x;", "x + 1"), {firstLine: "", nonEmpty: false, exact: false, editSimilarity: 0});
  });

  it("refuses an unknown pair name, naming the choices", async () => {
    await assert.rejects(namedPair({name: "qwen", padded: false}), /--pair "qwen": choose smollm2, tiny, wide or strong/);
  });

  it("gives the tiny pair's files for --pair tiny", async () => {
    const pair = await namedPair({name: "tiny", padded: false});
    assert.ok(existsSync(pair.target) && existsSync(pair.draft));
    assert.equal(pair.padded, false);
  });

  it("without Python, the default falls back to the tiny pair and says why; --pair smollm2 fails with the fetch error", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "draftstop-pairs-"));
    try {
      const fetch = {cacheDir: scratch, python: join(scratch, "no-python3")};
      const lines: string[] = [];
      const pair = await namedPair({padded: false, fetch, log: line => lines.push(line)});
      assert.deepEqual({target: pair.target, draft: pair.draft}, tinyPairPaths());
      assert.ok(lines.some(line => /SmolLM2-135M is not available \(Python 3 is needed.*\); using the tiny pair instead/.test(line)), lines.join("\n"));
      await assert.rejects(namedPair({name: "smollm2", padded: false, fetch, log: () => undefined}),
        (error: unknown) => error instanceof ModelFetchError && error.code === "noPython");
    } finally {
      rmSync(scratch, {recursive: true, force: true});
    }
  });

  it("the sample's suggested places are lines of the sample, where the file's header says", () => {
    const lines = SAMPLE_FILE.split("\n");
    for (const {lineStart} of Object.values(SAMPLE_SUGGESTIONS)) {
      const {line, column} = sampleLineEnd(lineStart);
      assert.equal(lines[line - 1]!.slice(0, column - 1), lines[line - 1]);
      assert.ok(SAMPLE_FILE.split("\n").slice(0, 5).join("\n").includes(lineStart.trim()), `the header mentions ${lineStart.trim()}`);
    }
    assert.equal(lines[sampleLineEnd(SAMPLE_SUGGESTIONS.distance.lineStart).line]!.trim(), "", "an empty line to type on");
    assert.throws(() => sampleLineEnd("nothing like this"), /no line starting with/);
  });
});
