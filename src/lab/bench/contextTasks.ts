// Multi-file completion tasks, for measuring what extra context does to quality: positions in a
// file right after a name it imports from another file of the same project, followed by `(` or
// `.` — what comes next (the arguments, the member) is written in the other file, so a model can
// know it only from extra context. Each task carries the chunks of the files its file imports
// from, cut as the extension cuts them (CHUNK_LINES lines).
import {existsSync, readFileSync} from "node:fs";
import {dirname, relative, resolve} from "node:path";
import {CHUNK_LINES} from "../../extension/completion/extraContext/chunking";
import {Prng} from "../../engine/decoding/sampling";
import {sourceFiles} from "../../benchmark/tasks";

export interface ContextTaskChunk {
  /** Path relative to the tasks' root. */
  path: string;
  startLine: number;
  text: string;
}

export interface ContextTask {
  id: string;
  /** The file the position is in, relative to the root. */
  path: string;
  prefix: string;
  suffix: string;
  /** The rest of the line the cut removed. */
  removed: string;
  /** The imported name right before the cursor. */
  name: string;
  /** Chunks of the files the position's file imports from. */
  chunks: ContextTaskChunk[];
}

export interface ContextTaskOptions {
  count?: number;
  seed?: number;
  prefixLines?: number;
  suffixLines?: number;
}

const IMPORT = /^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"(\.{1,2}\/[^"]+)";/;

/** `import {a, b as c} from "./x"` lines: each local name and the file it comes from. */
export function relativeImports(source: string, file: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of source.split("\n")) {
    const match = IMPORT.exec(line);
    if (!match) continue;
    const target = [".ts", "/index.ts", ".js"].map(ending => resolve(dirname(file), match[2]! + ending)).find(existsSync);
    if (!target) continue;
    for (const part of match[1]!.split(",")) {
      const local = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
      if (/^[A-Za-z_$][\w$]*$/.test(local)) names.set(local, target);
    }
  }
  return names;
}

/** Consecutive CHUNK_LINES-line chunks of a file. */
export function fileChunks(text: string, path: string): ContextTaskChunk[] {
  const lines = text.split("\n");
  const chunks: ContextTaskChunk[] = [];
  for (let start = 0; start < lines.length; start += CHUNK_LINES) {
    const chunk = lines.slice(start, start + CHUNK_LINES).join("\n");
    if (chunk.trim()) chunks.push({path, startLine: start, text: chunk});
  }
  return chunks;
}

/** Tasks from the TypeScript files under root, a seeded sample of at most one per line. */
export function contextTasksFromSources(root: string, options: ContextTaskOptions = {}): ContextTask[] {
  const {count = 40, seed = 1, prefixLines = 100, suffixLines = 30} = options;
  const candidates: ContextTask[] = [];
  for (const file of sourceFiles([root], [".ts"])) {
    const text = readFileSync(file, "utf8");
    const imports = relativeImports(text, file);
    if (imports.size === 0) continue;
    const lines = text.split("\n");
    const firstCode = lines.findIndex(line => line.trim() && !IMPORT.test(line) && !line.startsWith("//") && !line.startsWith("import"));
    const chunksOf = new Map<string, ContextTaskChunk[]>();
    for (let l = Math.max(firstCode, 0); l < lines.length; l++) {
      const line = lines[l]!;
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      const use = [...line.matchAll(/[A-Za-z_$][\w$]*(?=[(.])/g)].find(m => imports.has(m[0]) && (m.index === 0 || !/[\w$.]/.test(line[m.index - 1]!)));
      if (!use) continue;
      const cut = use.index! + use[0].length + 1;
      const removed = line.slice(cut);
      if (removed.trim().length < 2) continue;
      const source = imports.get(use[0])!;
      const imported = [...new Set(imports.values())];
      for (const target of imported) if (!chunksOf.has(target)) chunksOf.set(target, fileChunks(readFileSync(target, "utf8"), relative(root, target)));
      candidates.push({
        id: `${relative(root, file)}:${l + 1}:${cut + 1}`,
        path: relative(root, file),
        prefix: [...lines.slice(Math.max(0, l - prefixLines), l), line.slice(0, cut)].join("\n"),
        suffix: ["", ...lines.slice(l + 1, l + 1 + suffixLines)].join("\n"),
        removed,
        name: use[0],
        // The file the name comes from last: the most recently opened, as when the user just looked it up.
        chunks: [...imported.filter(t => t !== source), source].flatMap(t => chunksOf.get(t)!)
      });
    }
  }
  const prng = new Prng(seed);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(prng.uniform() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  return candidates.slice(0, count);
}

