// Benchmark tasks: FIM positions cut deterministically from source files, or read from a JSONL
// file of {prefix, suffix}. Editing tasks (positions whose next line has a near-copy above it) are
// cut in editTasks.ts.
import {readdirSync, readFileSync, statSync} from "node:fs";
import {extname, join, relative} from "node:path";
import {Prng} from "../engine/decoding/sampling";

/**
 * The sets the benchmark reports apart: "fim", a cursor anywhere in a line of code; "edit", a
 * cursor at a line that has a near-copy a few lines above (editTasks.ts), where copying from the
 * context pays most.
 */
export const TASK_SETS = ["fim", "edit"] as const;
export type TaskSet = typeof TASK_SETS[number];

export interface BenchTask {
  id: string;
  prefix: string;
  suffix: string;
  /** The text that was cut out at the cursor, when the task was cut from a file. */
  removed?: string;
  /** Which set the task counts in. Default "fim". */
  set?: TaskSet;
}

export const taskSet = (task: Pick<BenchTask, "set">): TaskSet => task.set ?? "fim";

/** Source file extensions read by default. */
export const SOURCE_EXTENSIONS: readonly string[] = [".ts", ".js", ".mjs", ".cjs", ".tsx", ".jsx"];

export interface TaskCutOptions {
  /** Tasks to cut. Default 20. */
  count?: number;
  /** Seed of the cut positions. Default 1. */
  seed?: number;
  /** Lines kept above and below the cursor. Defaults 60 and 20. */
  prefixLines?: number;
  suffixLines?: number;
  /** File extensions to read. Default SOURCE_EXTENSIONS: .ts .js .mjs .cjs .tsx .jsx. */
  extensions?: readonly string[];
}

const SKIP_DIRECTORIES = new Set(["node_modules", ".git", "out", "dist", ".cache", "fixtures"]);

/** Every source file under `roots`, sorted, so the same tree gives the same tasks. */
export function sourceFiles(roots: readonly string[], extensions: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRECTORIES.has(entry.name) && !entry.name.startsWith(".")) walk(path);
      } else if (extensions.includes(extname(entry.name)) && statSync(path).size < 500_000) files.push(path);
    }
  };
  for (const root of roots) statSync(root).isDirectory() ? walk(root) : files.push(root);
  return files;
}

/**
 * Cuts `count` cursor positions: a seeded file, a seeded line with code on it, a seeded column
 * inside the line's text. The prefix is the lines above plus the line up to the column; the rest
 * of that line is removed (`removed`), as if the developer were about to type it, and the suffix is
 * the lines below. Keeping the rest of the line in the suffix would leave nothing to complete: a
 * good model then answers with an empty middle.
 */
export function tasksFromSources(roots: readonly string[], options: TaskCutOptions = {}): BenchTask[] {
  const {count = 20, seed = 1, prefixLines = 60, suffixLines = 20, extensions = SOURCE_EXTENSIONS} = options;
  const files = sourceFiles(roots, extensions);
  if (files.length === 0) throw new Error(`no source files (${extensions.join(" ")}) under ${roots.join(", ")}`);
  const prng = new Prng(seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  const tasks: BenchTask[] = [];
  for (let attempt = 0; tasks.length < count && attempt < count * 50; attempt++) {
    const file = files[pick(files.length)]!;
    const lines = readFileSync(file, "utf8").split("\n");
    const codeLines = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim().length >= 8);
    if (codeLines.length === 0) continue;
    const [text, line] = codeLines[pick(codeLines.length)]!;
    const indent = text.length - text.trimStart().length;
    const column = indent + pick(text.length - indent);
    const prefix = [...lines.slice(Math.max(0, line - prefixLines), line), text.slice(0, column)].join("\n");
    const suffix = ["", ...lines.slice(line + 1, line + 1 + suffixLines)].join("\n");
    tasks.push({id: `${relative(process.cwd(), file)}:${line + 1}:${column + 1}`, prefix, suffix, removed: text.slice(column)});
  }
  return tasks;
}

export function tasksFromJsonl(path: string): BenchTask[] {
  return readFileSync(path, "utf8").split("\n").map((line, i) => [line.trim(), i] as const).filter(([line]) => line).map(([line, i]) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${path}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const {prefix, suffix, id, set} = value as {prefix?: unknown; suffix?: unknown; id?: unknown; set?: unknown};
    if (typeof prefix !== "string" || typeof suffix !== "string") throw new Error(`${path}:${i + 1}: needs string fields "prefix" and "suffix"`);
    if (set !== undefined && !TASK_SETS.includes(set as TaskSet))
      throw new Error(`${path}:${i + 1}: "set" is ${JSON.stringify(set)}; expected one of ${TASK_SETS.map(t => JSON.stringify(t)).join(", ")} or nothing`);
    return {id: typeof id === "string" ? id : `${path}:${i + 1}`, prefix, suffix, ...(set === undefined ? {} : {set: set as TaskSet})};
  });
}

/**
 * The lists taken in turn (a1, b1, a2, b2, …, then what is left of the longer), so that the sets
 * meet the machine's drift alike: the runner runs the tasks in this order.
 */
export function interleave<T>(...lists: ReadonlyArray<readonly T[]>): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(0, ...lists.map(l => l.length)); i++)
    for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}
