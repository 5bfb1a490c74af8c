// Editing tasks: cursor positions whose line has a near-copy a few lines above it (the next case of
// a switch, the next test, the mirrored encode/decode, the next similar call). That is where a
// developer types something the file already nearly holds, and where a drafter that copies from the
// context can pay most; FIM tasks cut anywhere (tasks.ts) seldom land there.
//
// The cursor is at the start of the line's text, after its indentation; the line's text is removed
// (`removed`), the prefix is the lines above it, the suffix the lines below. The near-copy is looked
// for only inside the prefix's window, so the model always sees it.
import {readFileSync} from "node:fs";
import {relative} from "node:path";
import {distance} from "fastest-levenshtein";
import {Prng} from "../../engine/decoding/sampling";
import {BenchSetupError} from "../../benchmark/errors";
import {BenchTask, SOURCE_EXTENSIONS, sourceFiles} from "../../benchmark/tasks";

export interface EditTask extends BenchTask {
  set: "edit";
  /** The earlier line the removed one nearly copies: its line number in the file (from 1) and lineSimilarity. */
  nearCopy: {line: number; similarity: number};
}

export interface EditTaskOptions {
  /** Tasks to cut. */
  count?: number;
  /** Seed of the picks. */
  seed?: number;
  /** Lines kept above the cursor; the near-copy is looked for among them. */
  prefixLines?: number;
  /** Lines kept below the cursor's line. */
  suffixLines?: number;
  /**
   * Least lineSimilarity of a near-copy. 0.65 keeps the next call or test whose arguments and names
   * differ (`throwError(state, "bad indentation of a mapping entry")` → `throwError(state,
   * "duplication of a tag property")` 0.67, `it("keeps the prefix it shares", …` → `it("drops a
   * prefix it does not share", …` 0.69; the next case `case "encode": return encodeUtf8(value);` →
   * `case "decode": …` is 0.90) and leaves out lines that share only a shape
   * (`import {readFileSync} from "node:fs";` → `import {join} from "node:path";` 0.62,
   * `readonly cache = new CompletionCache();` → `readonly gate = new RequestGate();` 0.62). On this
   * repository's src/ and test/ (when chosen) it finds 1 834 positions in 172 of 206 files (2 363 at 0.6, 1 468 at
   * 0.7); on the held-out packages 1 431 in 48 of 78 files.
   */
  minSimilarity?: number;
  /** Least non-blank characters of the line and its near-copy, so that `}` and `});` never count. */
  minChars?: number;
  /** File extensions to read. */
  extensions?: readonly string[];
}

export const EDIT_TASK_DEFAULTS: Required<EditTaskOptions> = {
  count: 20, seed: 1, prefixLines: 60, suffixLines: 20, minSimilarity: 0.65, minChars: 12, extensions: SOURCE_EXTENSIONS
};

/** A line as lines are compared: trimmed, each run of spaces and tabs one space. */
export function normalizeLine(line: string): string {
  return line.trim().replace(/[ \t]+/g, " ");
}

/** 1 − Levenshtein distance ÷ the longer length, on normalized lines: 1 the same text, 0 nothing alike. */
export function lineSimilarity(a: string, b: string): number {
  const x = normalizeLine(a), y = normalizeLine(b);
  const longer = Math.max(x.length, y.length);
  return longer === 0 ? 1 : 1 - distance(x, y) / longer;
}

/**
 * Whether a line is code a developer would type: `minChars` non-blank characters, at least 6 of
 * them identifier characters (not a rule of dashes or a run of brackets), and not a comment, whose
 * near-copies are mostly JSDoc boilerplate (`* @param …`) rather than code.
 */
export function isCodeLine(line: string, minChars = EDIT_TASK_DEFAULTS.minChars): boolean {
  const text = line.trim();
  if (text.replace(/\s/g, "").length < minChars) return false;
  if (/^(\/\/|\/\*|\*|#!)/.test(text)) return false;
  return (text.match(/[A-Za-z0-9_$]/g)?.length ?? 0) >= 6;
}

export interface NearCopyPosition {
  /** The line's index in the file (from 0). */
  line: number;
  /** Its best near-copy: the index of the earlier line (from 0) and the similarity; the nearest among equals. */
  nearCopy: {line: number; similarity: number};
}

/** Every line of `lines` that has a near-copy among the `window` lines above it, in file order. */
export function nearCopyPositions(lines: readonly string[], options: Pick<EditTaskOptions, "prefixLines" | "minSimilarity" | "minChars"> = {}): NearCopyPosition[] {
  const {prefixLines: window, minSimilarity, minChars} = {...EDIT_TASK_DEFAULTS, ...options};
  const normalized = lines.map(l => (isCodeLine(l, minChars) ? normalizeLine(l) : undefined));
  const positions: NearCopyPosition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = normalized[i];
    if (text === undefined) continue;
    let best: {line: number; similarity: number} | undefined;
    for (let j = i - 1; j >= Math.max(0, i - window); j--) {
      const other = normalized[j];
      // The distance is at least the difference in length, so a line much longer or shorter cannot reach the threshold.
      if (other === undefined || Math.min(other.length, text.length) / Math.max(other.length, text.length) < minSimilarity) continue;
      const similarity = 1 - distance(text, other) / Math.max(text.length, other.length);
      if (similarity >= minSimilarity && similarity > (best?.similarity ?? -1)) best = {line: j, similarity};
    }
    if (best) positions.push({line: i, nearCopy: best});
  }
  return positions;
}

/** The editing task at `position` of a file's lines. */
export function editTaskAt(lines: readonly string[], position: NearCopyPosition, id: string,
  options: Pick<EditTaskOptions, "prefixLines" | "suffixLines"> = {}): EditTask {
  const {prefixLines, suffixLines} = {...EDIT_TASK_DEFAULTS, ...options};
  const text = lines[position.line]!;
  const indent = text.length - text.trimStart().length;
  return {
    id,
    prefix: [...lines.slice(Math.max(0, position.line - prefixLines), position.line), text.slice(0, indent)].join("\n"),
    suffix: ["", ...lines.slice(position.line + 1, position.line + 1 + suffixLines)].join("\n"),
    removed: text.slice(indent),
    set: "edit",
    nearCopy: {line: position.nearCopy.line + 1, similarity: position.nearCopy.similarity}
  };
}

/**
 * Cuts `count` editing tasks from the source files under `roots`: a seeded file among those that
 * still have a near-copy position not yet taken, then a seeded one of its positions. The same tree
 * and seed give the same tasks; fewer than `count` come back when the files hold fewer positions.
 */
export function editTasksFromSources(roots: readonly string[], options: EditTaskOptions = {}): EditTask[] {
  const settings = {...EDIT_TASK_DEFAULTS, ...options};
  const files = sourceFiles(roots, settings.extensions);
  if (files.length === 0) throw new BenchSetupError(`no source files (${settings.extensions.join(" ")}) under ${roots.join(", ")}: point --edit-tasks at a folder of code`);
  const prng = new Prng(settings.seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  const pool = files.map((_, i) => i);
  const open = new Map<number, {lines: string[]; positions: NearCopyPosition[]}>();
  const tasks: EditTask[] = [];
  while (tasks.length < settings.count && pool.length > 0) {
    const slot = pick(pool.length);
    const index = pool[slot]!;
    let file = open.get(index);
    if (!file) {
      const lines = readFileSync(files[index]!, "utf8").split("\n");
      file = {lines, positions: nearCopyPositions(lines, settings)};
      open.set(index, file);
    }
    if (file.positions.length === 0) {
      pool.splice(slot, 1);
      continue;
    }
    const [position] = file.positions.splice(pick(file.positions.length), 1);
    const line = file.lines[position!.line]!;
    const id = `${relative(process.cwd(), files[index]!)}:${position!.line + 1}:${line.length - line.trimStart().length + 1}`;
    tasks.push(editTaskAt(file.lines, position!, id, settings));
  }
  return tasks;
}
