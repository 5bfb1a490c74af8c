// Editing tasks cut from source text: near-copy positions, the cut itself, determinism, the held-out corpus.
import assert from "node:assert/strict";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {editTasksFromSources, isCodeLine, lineSimilarity, nearCopyPositions} from "../../src/lab/bench/editTasks";
import {BenchSetupError} from "../../src/benchmark/errors";
import {HELD_OUT_SOURCES, heldOutRoots} from "../../src/lab/bench/heldOut";
import {interleave, tasksFromJsonl} from "../../src/benchmark/tasks";

const SWITCH = [
  "export function encode(kind: Kind, value: string): string {",
  "  switch (kind) {",
  "    case \"utf8\": return encodeUtf8(value);",
  "    case \"base64\": return encodeBase64(value);",
  "    case \"hex\": return encodeHexDigits(value);",
  "  }",
  "}"
].join("\n");

// Every line unlike every other: names, shapes and lengths differ; the repeated lines are trivia or comments.
const NO_COPIES = [
  "// ------------------------------------------------------------",
  "import {readFileSync} from \"node:fs\";",
  "const limit = Number(process.env.LIMIT ?? 40);",
  "// ------------------------------------------------------------",
  "export class Queue<T> {",
  "  private readonly items: T[] = [];",
  "  push(item: T): void {",
  "    if (this.items.length >= limit) throw new RangeError(\"full\");",
  "  }",
  "  });",
  "  });",
  "}",
  "/**",
  " * @param options the settings of the queue, all optional",
  " * @param options the settings of the queue, all optional",
  " */",
  "module.exports = {Queue, limit};"
].join("\n");

describe("editing tasks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-edit-"));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it("finds the next case of a switch, with its near-copy above", () => {
    const positions = nearCopyPositions(SWITCH.split("\n"));
    assert.deepEqual(positions.map(p => p.line), [3, 4], "the second and third case; the first has nothing like it above");
    assert.equal(positions[0]!.nearCopy.line, 2);
    for (const p of positions) assert.ok(p.nearCopy.line < p.line && p.nearCopy.similarity >= 0.65 && p.nearCopy.similarity < 1, JSON.stringify(p));
  });

  it("cuts at the start of the line's text: the line removed, the near-copy in the prefix, the file intact", () => {
    const file = join(dir, "encode.ts");
    writeFileSync(file, SWITCH);
    const tasks = editTasksFromSources([dir], {count: 5, seed: 1});
    assert.equal(tasks.length, 2, "only two positions in the file");
    for (const task of tasks) {
      assert.equal(task.set, "edit");
      assert.match(task.removed!, /^case "(base64|hex)": return encode\w+\(value\);$/);
      assert.ok(task.prefix.endsWith("\n    "), "the cursor after the indentation");
      assert.ok(task.suffix.startsWith("\n"), task.id);
      assert.equal(task.prefix + task.removed + task.suffix, SWITCH);
      const copy = SWITCH.split("\n")[task.nearCopy.line - 1]!;
      assert.ok(task.prefix.includes(copy), "the model sees the near-copy");
      assert.match(task.id, /encode\.ts:(4|5):5$/);
    }
  });

  it("finds nothing in a file without near-copies: trivia, comments and shared shapes do not count", () => {
    assert.deepEqual(nearCopyPositions(NO_COPIES.split("\n")), []);
    writeFileSync(join(dir, "queue.ts"), NO_COPIES);
    assert.deepEqual(editTasksFromSources([dir], {count: 3}), []);
    assert.equal(isCodeLine("  });"), false);
    assert.equal(isCodeLine(" * @param options the settings of the queue"), false);
    assert.equal(isCodeLine("    case \"hex\": return encodeHex(value);"), true);
    assert.ok(lineSimilarity("import {readFileSync} from \"node:fs\";", "import {join} from \"node:path\";") < 0.65);
    assert.equal(lineSimilarity("  a  =  b;", "a = b;"), 1, "indentation and runs of spaces are not differences");
  });

  it("looks for the near-copy only within the prefix's lines", () => {
    const lines = ["    callSomething(first, \"alpha\");", ...Array.from({length: 70}, () => ""), "    callSomething(second, \"beta\");"];
    assert.deepEqual(nearCopyPositions(lines, {prefixLines: 60}), []);
    assert.deepEqual(nearCopyPositions(lines, {prefixLines: 80}).map(p => [p.line, p.nearCopy.line]), [[71, 0]]);
  });

  it("cuts the same tasks for the same seed, other tasks for another, never one position twice", () => {
    for (let f = 0; f < 4; f++) {
      const cases = Array.from({length: 8}, (_, i) => `    case "kind${f}${i}": return handleKind${i}(value, ${f});`);
      writeFileSync(join(dir, `file${f}.ts`), ["switch (kind) {", ...cases, "}"].join("\n"));
    }
    const a = editTasksFromSources([dir], {count: 10, seed: 4});
    assert.deepEqual(editTasksFromSources([dir], {count: 10, seed: 4}), a);
    assert.notDeepEqual(editTasksFromSources([dir], {count: 10, seed: 5}).map(t => t.id), a.map(t => t.id));
    assert.equal(a.length, 10);
    assert.equal(new Set(a.map(t => t.id)).size, 10);
    assert.equal(editTasksFromSources([dir], {count: 100}).length, 4 * 7, "every case but each file's first, once");
    assert.throws(() => editTasksFromSources([join(dir, "nothing")], {count: 1}), /ENOENT/);
    mkdirSync(join(dir, "empty"));
    assert.throws(() => editTasksFromSources([join(dir, "empty")], {count: 1}), BenchSetupError);
  });

  it("reads the held-out packages where npm put them, and says what to do where they are missing", () => {
    const nodeModules = join(__dirname, "..", "..", "..", "node_modules");
    const roots = heldOutRoots(nodeModules);
    assert.deepEqual(roots.map(r => r.slice(nodeModules.length + 1).split("/")[0]), HELD_OUT_SOURCES.flatMap(s => s.folders.map(() => s.package)));
    const tasks = editTasksFromSources(roots, {count: 6, seed: 1});
    assert.equal(tasks.length, 6);
    for (const task of tasks) {
      assert.match(task.id, /node_modules\/(js-yaml|commander|semver)\//);
      const file = readFileSync(join(nodeModules, task.id.replace(/^.*node_modules\//, "").replace(/:\d+:\d+$/, "")), "utf8");
      assert.ok(file.includes(task.prefix + task.removed + task.suffix), task.id);
    }
    assert.throws(() => heldOutRoots(dir), (error: unknown) =>
      error instanceof BenchSetupError && /js-yaml\/lib/.test(error.message) && /npm ci/.test(error.message));
  });
});

describe("task sets", () => {
  it("interleaves the sets in turn", () => {
    assert.deepEqual(interleave<number | string>([1, 2, 3], ["a"]), [1, "a", 2, 3]);
    assert.deepEqual(interleave<string>([], ["a", "b"]), ["a", "b"]);
  });

  it("reads a task's set from JSONL and rejects an unknown one", () => {
    const dir = mkdtempSync(join(tmpdir(), "draftstop-sets-"));
    try {
      const file = join(dir, "tasks.jsonl");
      writeFileSync(file, '{"prefix": "a", "suffix": "b", "set": "edit"}\n{"prefix": "c", "suffix": ""}\n');
      assert.deepEqual(tasksFromJsonl(file).map(t => t.set), ["edit", undefined]);
      writeFileSync(file, '{"prefix": "a", "suffix": "b", "set": "refactor"}\n');
      assert.throws(() => tasksFromJsonl(file), /tasks\.jsonl:1: "set" is "refactor"; expected one of "fim", "edit"/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
