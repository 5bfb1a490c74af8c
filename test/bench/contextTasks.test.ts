// Multi-file tasks for the extra-context quality benchmark, cut from a small project written here:
// where each cursor goes, what it removes, which chunks come with it, and the import forms read.
import assert from "node:assert/strict";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {contextTasksFromSources, fileChunks, relativeImports} from "../../src/lab/bench/contextTasks";
import {CHUNK_LINES} from "../../src/extension/completion/extraContext/chunking";

const GEOMETRY = [
  "export function hypotenuse(a: number, b: number): number {",
  "  return Math.sqrt(a * a + b * b);",
  "}",
  ...Array.from({length: 40}, (_, i) => `export const unit${i} = ${i};`),
  ""
].join("\n");
const UNITS = "export const Units = {meters: 1, feet: 0.3048};\n";
const MAIN = [
  "// Distances.",
  "import {hypotenuse} from \"./lib/geometry\";",
  "import {Units as U} from \"./lib/units\";",
  "",
  "// hypotenuse(comment) is no use",
  "export const diagonal = hypotenuse(3, 4);",
  "export const feet = U.feet * diagonal;",
  "export const x = 1; hypotenuse(1, 1);",
  ""
].join("\n");

describe("extra context quality tasks", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "draftstop-context-tasks-"));
    mkdirSync(join(root, "lib"));
    writeFileSync(join(root, "lib", "geometry.ts"), GEOMETRY);
    writeFileSync(join(root, "lib", "units.ts"), UNITS);
    writeFileSync(join(root, "main.ts"), MAIN);
    writeFileSync(join(root, "lone.ts"), "export const lone = Math.max(1, 2);\n");
  });
  after(() => rmSync(root, {recursive: true, force: true}));

  it("reads named relative imports, aliases included, and resolves them to files that exist", () => {
    const imports = relativeImports(MAIN + "import {missing} from \"./nowhere\";\nimport {readFileSync} from \"node:fs\";\n", join(root, "main.ts"));
    assert.deepEqual([...imports.entries()].sort(), [["U", join(root, "lib", "units.ts")], ["hypotenuse", join(root, "lib", "geometry.ts")]]);
  });

  it("cuts a file into chunks of CHUNK_LINES lines, skipping empty ones", () => {
    const chunks = fileChunks(GEOMETRY + "\n".repeat(CHUNK_LINES * 2), "lib/geometry.ts");
    assert.deepEqual(chunks.map(c => c.startLine), [0, CHUNK_LINES]);
    assert.equal(chunks[0]!.text.split("\n").length, CHUNK_LINES);
    assert.ok(chunks[0]!.text.startsWith("export function hypotenuse("));
  });

  it("puts the cursor right after an imported name and its ( or ., never in a comment, with the imported files' chunks, the name's own file last", () => {
    const tasks = contextTasksFromSources(root, {count: 10, seed: 3});
    assert.deepEqual(tasks.map(t => t.id).sort(), ["main.ts:6:36", "main.ts:7:23", "main.ts:8:32"]);
    for (const task of tasks) {
      assert.equal(task.path, "main.ts");
      const line = MAIN.split("\n")[Number(task.id.split(":")[1]) - 1]!;
      assert.ok(task.prefix.endsWith(line.slice(0, line.length - task.removed.length)), `${task.id}: the prefix ends at the cut`);
      assert.ok(/[(.]$/.test(task.prefix), `${task.id} ends after ( or .`);
      assert.ok(task.prefix.slice(0, -1).endsWith(task.name));
      assert.ok(task.suffix.startsWith("\n"), "the rest of the line is removed, the next lines stay");
      const last = task.chunks.at(-1)!;
      assert.equal(last.path, task.name === "U" ? "lib/units.ts" : "lib/geometry.ts", `${task.id}: the name's own file comes last`);
      assert.deepEqual([...new Set(task.chunks.map(c => c.path))].sort(), ["lib/geometry.ts", "lib/units.ts"]);
    }
    const diagonal = tasks.find(t => t.id === "main.ts:6:36")!;
    assert.equal(diagonal.removed, "3, 4);");
    assert.equal(diagonal.name, "hypotenuse");
  });

  it("samples the same tasks for the same seed, and at most count of them", () => {
    const ids = (seed: number, count = 10) => contextTasksFromSources(root, {count, seed}).map(t => t.id);
    assert.deepEqual(ids(7), ids(7));
    assert.equal(ids(7, 2).length, 2);
    assert.equal(new Set(ids(7, 2)).size, 2);
  });
});
