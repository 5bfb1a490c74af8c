// The stop rules in the round loop, on SmolLM2-135M and the committed draft with lookup drafting on:
// a completion at a cursor ends as soon as it is complete (its line, its block), and what it emits
// up to the stop is the target's own greedy text. Flash attention makes the CPU's passes
// batch-invariant, so speculative and target-only output agree token for token (smollm2Draft.test.ts).
import assert from "node:assert/strict";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {createPolicy, DraftstopEngine} from "../../src/engine";
import {completionEnd, stopSpecAt} from "../../src/engine/completionStop";
import {ensureSmolLM2} from "../../src/lab/modelmaker/smollm2/fetch";

const DRAFT = join(repoRoot(), "media", "models", "smollm2", "draft.gguf");
const MAX_TOKENS = 40;

/** Cursors in small functions: after code on a line (one line), and on a blank line of a body (a block). */
const CURSORS = [
  {prefix: "function distance(a, b) {\n  const dx = b.x - a.x;\n  const dy = ", suffix: "\n  return Math.sqrt(dx * dx + dy * dy);\n}\n"},
  {prefix: "function total(items) {\n  let sum = 0;\n  for (const item of items) sum += ", suffix: "\n  return sum;\n}\n"},
  {prefix: "const names = users.map(user => ", suffix: "\nconsole.log(names);\n"},
  {prefix: "class Stack {\n  constructor() {\n    this.items = [];\n  }\n\n  push(item) {\n    ", suffix: "\n  }\n}\n"},
  {prefix: "def mean(values):\n    ", suffix: "\n\nprint(mean([1, 2, 3]))\n"},
  {prefix: "function fib(n) {\n  if (n < 2) return n;\n  ", suffix: "\n}\n"}
];

const specAt = (cursor: {prefix: string; suffix: string}) => stopSpecAt(cursor.prefix, cursor.suffix);

describe("stop rules in the round loop (SmolLM2-135M, its draft, lookup)", function () {
  this.timeout(600_000);
  let engine: DraftstopEngine;

  before(async () => {
    const targetPath = await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop")});
    engine = await DraftstopEngine.load({targetPath, draftPath: DRAFT, threads: 1, gpu: false, contextSize: 1024, flashAttention: true, policy: {name: "static", k: 4}});
  });
  after(() => engine?.dispose());

  it("stops where the completion ends, with drafts and lookup on, and emits target-only's text up to there", async () => {
    let lineStops = 0, blockStops = 0, drafted = 0, saved = 0, pastStop = 0;
    for (const cursor of CURSORS) {
      const spec = specAt(cursor);
      const reference = await engine.experimentInfill({...cursor, heal: false}, {maxTokens: MAX_TOKENS, stopOnEog: false, drafter: "model"}, {policy: createPolicy({name: "off"})});
      const stopped = await engine.experimentInfill({...cursor, heal: false}, {maxTokens: MAX_TOKENS, stopOnEog: false, drafter: "both", completionStop: spec},
        {policy: createPolicy({name: "static", k: 4})});
      const where = `${JSON.stringify(cursor.prefix.slice(-24))} (${spec.lines}): target-only wrote ${JSON.stringify(reference.text)}`;
      const end = completionEnd(reference.text, spec);
      assert.equal(stopped.text, reference.text.slice(0, end), `${where}: the text up to the stop is target-only's`);
      assert.deepEqual(stopped.tokens, reference.tokens.slice(0, stopped.tokens.length), `${where}: token for token`);
      drafted += stopped.totals.drafted;
      if (end < reference.text.length) {
        assert.equal(stopped.stopReason, "completionEnd", where);
        assert.ok(stopped.tokens.length < reference.tokens.length, `${where}: generation stopped early`);
        const kept = engine.detokenize(stopped.tokens);
        assert.ok(kept.length > end && engine.detokenize(stopped.tokens.slice(0, -1)).length <= end,
          `${where}: the tokens end with the one that holds the stop`);
        saved += reference.tokens.length - stopped.tokens.length - stopped.tokensPastStop;
        pastStop += stopped.tokensPastStop;
        if (spec.lines === "line") {
          lineStops++;
          assert.equal(stopped.tokensPastStop, 0, `${where}: drafts end at the line break, and no bonus token past it`);
          assert.ok(!stopped.text.replace(/^[ \t]*\n/, "").includes("\n"), `${where}: one line (the next one where the cursor's line is complete)`);
        } else blockStops++;
      }
    }
    assert.ok(lineStops >= 2 && blockStops >= 1, `stops at line breaks (${lineStops}) and block ends (${blockStops})`);
    assert.ok(drafted > 0, "drafts were proposed");
    assert.ok(saved > MAX_TOKENS, `stopping spared ${saved} tokens`);
    assert.ok(pastStop <= blockStops * 3, `tokens past the stop: ${pastStop} (only where a line's start decided a block's end)`);
  });

  it("decodes incrementally to the same text as the whole output, a stop string included", async () => {
    const cursor = CURSORS[3]!;
    const whole = await engine.generateInfill({...cursor, heal: false}, {maxTokens: MAX_TOKENS, stopOnEog: false});
    const checked = await engine.generateInfill({...cursor, heal: false}, {maxTokens: MAX_TOKENS, stopOnEog: false, stopStrings: ["\u0000never"]});
    assert.equal(checked.stopReason, "maxTokens");
    assert.equal(checked.text, whole.text);
    assert.deepEqual(checked.tokens, whole.tokens);
    const cut = whole.text.slice(5, 8);
    const stopped = await engine.generateInfill({...cursor, heal: false}, {maxTokens: MAX_TOKENS, stopOnEog: false, stopStrings: [cut]});
    assert.equal(stopped.stopReason, "stopString");
    assert.equal(stopped.text, whole.text.slice(0, whole.text.indexOf(cut)));
  });

  it("reports the text so far after each round, each report longer and a prefix of the result (but for blanks the stop rules cut), the result unchanged", async () => {
    let reports = 0;
    for (const cursor of CURSORS) {
      const options = {maxTokens: MAX_TOKENS, stopOnEog: false, drafter: "both" as const, completionStop: specAt(cursor)};
      const quiet = await engine.generateInfill({...cursor, heal: false}, options);
      const reported: string[] = [];
      const result = await engine.generateInfill({...cursor, heal: false}, {...options, onText: (text: string) => reported.push(text)});
      const where = `${JSON.stringify(cursor.prefix.slice(-24))}: wrote ${JSON.stringify(result.text)}, reported ${JSON.stringify(reported)}`;
      assert.equal(result.text, quiet.text, `${where}: the same text with reports as without`);
      let last = 0;
      for (const text of reported) {
        // A block's rule can cut only at a line break it has not yet seen past: what a report holds
        // beyond the result is the blank start of the line that ended the block.
        const prefix = result.text.startsWith(text) || (text.startsWith(result.text) && !text.slice(result.text.length).trim());
        assert.ok(prefix && text.length > last, `${where}: ${JSON.stringify(text)}`);
        last = text.length;
      }
      assert.ok(reported.length <= result.tokens.length, `${where}: at most one report a round`);
      reports += reported.length;
    }
    assert.ok(reports >= CURSORS.length, `reports: ${reports}`);
  });

  it("refuses a malformed stop spec with the field named", async () => {
    await assert.rejects(engine.generate("a", {completionStop: {...specAt(CURSORS[0]!), lines: "paragraph" as never}}), /completionStop\.lines/);
    await assert.rejects(engine.generate("a", {completionStop: {...specAt(CURSORS[0]!), maxLines: 0}}), /completionStop\.maxLines/);
  });
});
