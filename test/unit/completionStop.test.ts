// The stop rules fed as the round loop feeds them: a few characters at a time. Wherever the text is
// split, they end the completion where judging the whole text ends it, and they decide as soon as
// the line that decides has shown enough of itself.
import assert from "node:assert/strict";
import {completionStopSpec} from "../../src/extension/completion/postprocess";
import {CompletionStop, completionEnd, completionLines, CompletionStopSpec} from "../../src/engine/completionStop";
import {Prng} from "../../src/engine/decoding/sampling";
import {CAPTURED_DIR, CASES_DIR, caseFilesIn, loadCases} from "./completion/caseFile";

function fedInChunks(text: string, spec: CompletionStopSpec, chunkSizes: () => number): number {
  const stop = new CompletionStop(spec);
  for (let at = 0; at < text.length;) {
    const size = chunkSizes();
    const end = stop.push(text.slice(at, at + size));
    at += size;
    if (end !== undefined) {
      assert.ok(end <= at, "an end is never past the text fed");
      return end;
    }
  }
  return stop.finish();
}

describe("stop rules fed incrementally (completionStop)", () => {
  const cases = [...caseFilesIn(CASES_DIR), ...caseFilesIn(CAPTURED_DIR)].flatMap(file => loadCases(file));

  it("end every case's completion where the whole text ends it, one character or a few at a time", () => {
    assert.ok(cases.length > 80, `${cases.length} cases`);
    const prng = new Prng(7);
    for (const c of cases) {
      const spec = completionStopSpec(c.context, c.maxLines ?? 8);
      const whole = completionEnd(c.completion, spec);
      assert.equal(fedInChunks(c.completion, spec, () => 1), whole, `${c.where}: one character at a time`);
      for (let run = 0; run < 5; run++)
        assert.equal(fedInChunks(c.completion, spec, () => 1 + Math.floor(prng.uniform() * 6)), whole, `${c.where}: chunks of 1-6, run ${run}`);
    }
  });

  const block: CompletionStopSpec = {lines: "block", linePrefix: "    ", lineSuffix: "", indentation: "    ", maxLines: 8, tabSize: 4};

  it("in line mode, ends at the first line break as soon as it arrives", () => {
    const stop = new CompletionStop({...block, lines: "line", linePrefix: "  x = "});
    assert.equal(stop.push("foo(1"), undefined);
    assert.equal(stop.push(");"), undefined);
    assert.equal(stop.push("\r\n  y"), 7);
  });

  it("ends before a dedented line at its first character, before the rest of it is generated", () => {
    const stop = new CompletionStop(block);
    assert.equal(stop.push("a = 1\n    b = 2\n  "), undefined, "whitespace alone decides nothing");
    assert.equal(stop.push("}"), "a = 1\n    b = 2".length);
  });

  it("waits for a word to end before it tells a continuation keyword from a new statement", () => {
    const opened: CompletionStopSpec = {...block, linePrefix: "    if (x) {", lines: "block"};
    const goesOn = new CompletionStop(opened);
    assert.equal(goesOn.push("\n        a();\n    el"), undefined);
    assert.equal(goesOn.push("se {\n        b();\n"), undefined, "else goes on");
    assert.equal(goesOn.push("    }\n    c();"), "\n        a();\n    else {\n        b();\n    }".length, "the closer is kept, the next statement is not");
    const newStatement = new CompletionStop(opened);
    assert.equal(newStatement.push("\n        a();\n    elements"), undefined, "a word that may still be else");
    assert.equal(newStatement.push(".push(1);"), "\n        a();".length);
  });

  it("keeps a closing bracket at the base width and ends after its line", () => {
    const stop = new CompletionStop({...block, linePrefix: "    for (const x of xs) {"});
    assert.equal(stop.push("\n        use(x);\n    }"), undefined, "the line may still open a block again");
    assert.equal(stop.push("\n"), "\n        use(x);\n    }".length);
  });

  it("finish() judges the last line whole when the generation stopped for another reason", () => {
    const stop = new CompletionStop({...block, linePrefix: "    for (const x of xs) {"});
    stop.push("\n        use(x);\n    }");
    assert.equal(stop.finish(), "\n        use(x);\n    }".length);
    const open = new CompletionStop(block);
    open.push("a = 1\n    b");
    assert.equal(open.finish(), "a = 1\n    b".length);
  });

  it("chooses one line where the cursor's line has code, a block on a blank line, after an opener, or when invoked", () => {
    assert.equal(completionLines("  const a = ", "", false), "line");
    assert.equal(completionLines("  print(", ", end='')", false), "line");
    assert.equal(completionLines("  ", "", false), "block");
    assert.equal(completionLines("", "", false), "block");
    assert.equal(completionLines("function f() {", "", false), "block");
    assert.equal(completionLines("  foo(", ");", false), "block", "only closers after the cursor");
    assert.equal(completionLines("def f(x):", "", false), "block");
    assert.equal(completionLines("  const a = ", "", true), "block");
  });

  it("refuses a maxLines below 1", () => {
    assert.throws(() => new CompletionStop({...block, maxLines: 0}), RangeError);
  });
});
