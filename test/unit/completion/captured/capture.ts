// Captures real completions that went wrong. The tiny pair that ships in the repository
// (media/models/tinypair, target + draft, CPU, one thread) completes through the real engine
// (DraftstopEngine: FIM prompt, speculative decoding, the settings' default generation options:
// greedy, 64 tokens) at cursor positions cut from this repository's own source, and each raw
// completion is written with its document and cursor in the case format of ../caseFile.ts. The
// prompt is built from the context that extractCursorContext derives from the document, exactly as
// the test derives it.
//
//   npx tsc -p . && node out/test/unit/completion/captured/capture.js
//       re-captures every case in this folder: the model completes each case's document again; a
//       completion that changed (a retrained pair, a changed engine) is rewritten and its expected
//       text becomes TODO, so the test fails until a person writes what the rules must make of it.
//   npx tsc -p . && node out/test/unit/completion/captured/capture.js --scan 300 [--seed 1] [--temperature T] [--kind K]
//       cuts 300 new positions (seeded) from src/ and test/ and writes every raw completion that the
//       pipeline changes to .cache/draftstop/captured-candidates/ (expected: TODO, a note saying which
//       rules changed it). Move the ones worth keeping here, write their expected text by hand,
//       and replace the note with what went wrong and which rule must fix it.
//       --temperature samples (seeded per position) instead of the default greedy decoding; --kind
//       cuts positions of one kind only (below).
//
// A case's `generate:` line holds the generation options that differ from the settings' defaults
// (JSON: temperature, seed, maxTokens, policy); re-capture uses them.
//
// Kinds of position (how the document is cut from the file, as a developer would have it):
//   line-end      the rest of the cursor's line removed (as the benchmark's tasks cut them)
//   closers-kept  the middle of the line removed, its closing brackets and ";" kept (auto-closed)
//   body-removed  the cursor at the end of a line that opens a block, the block's body removed
//   new-line      an empty line opened after the cursor's line, indented like the next line
//   non-ascii     the line cut before a non-ASCII character; when the completion writes one, the
//                 token limit is set to end inside it (the cut a real limit makes). The greedy tiny
//                 pair writes no non-ASCII at all: these need --temperature, and are then decoded
//                 by the target alone (policy off), which keeps the text the same under a lower limit.
// One document in four is written with CRLF line breaks. The document kept is a window of the file
// (30 lines above the cursor, 10 below).
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import path from "node:path";
import {parseArgs} from "node:util";
import {sourceFiles} from "../../../../src/benchmark/tasks";
import {repoRoot} from "../../../../src/lab/cli/repoRoot";
import {POSTPROCESS_DEFAULTS, postprocessCompletion, postprocessRules} from "../../../../src/extension/completion/postprocess";
import {generateOptionsFrom, policySpecFrom} from "../../../../src/extension/settings/engineOptions";
import {defaultSettings} from "../../../../src/extension/settings/schema";
import {DraftstopEngine} from "../../../../src/engine";
import type {GenerateOptions} from "../../../../src/engine/options";
import type {Token} from "../../../../src/engine/nlc";
import {Prng} from "../../../../src/engine/decoding/sampling";
import {demoPairPaths} from "../../../../src/extension/models/demoPair";
import {CAPTURED_DIR, CaseEntry, caseContext, caseFilesIn, CURSOR, formatCase, parseCaseFile} from "../caseFile";

const KINDS = ["line-end", "closers-kept", "body-removed", "new-line", "non-ascii"] as const;
type Kind = typeof KINDS[number];
const ABOVE = 30;
const BELOW = 10;
const SKIP = "test/unit/completion/"; // the cases' own machinery changes with them
const TODO = "TODO: write by hand what the rules must turn this completion into";
const MODEL = "tiny pair (media/models/tinypair target.gguf + draft.gguf), CPU, 1 thread, the settings' default generation options";

interface Capture {
  entry: Omit<CaseEntry, "where">;
  /** Rules that changed the raw completion, in pipeline order. */
  changedBy: string[];
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {scan: {type: "string"}, seed: {type: "string", default: "1"}, temperature: {type: "string"}, kind: {type: "string"}}});
  const root = repoRoot();
  const pair = demoPairPaths(root);
  const settings = defaultSettings();
  const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft, gpu: false, threads: 1,
    contextSize: settings.contextSize, policy: policySpecFrom(settings)});
  try {
    if (values.scan === undefined) await recapture(engine, root);
    else {
      const kinds = values.kind === undefined ? KINDS : KINDS.filter(kind => kind === values.kind);
      if (kinds.length === 0) throw new Error(`--kind must be one of ${KINDS.join(", ")}`);
      await scan(engine, root, {count: Number(values.scan), seed: Number(values.seed), kinds,
        temperature: values.temperature === undefined ? undefined : Number(values.temperature)});
    }
  } finally {
    await engine.dispose();
  }
}

/** Generation options that differ from the settings' defaults; policy "off" is the target alone. */
type Overrides = Pick<GenerateOptions, "temperature" | "seed" | "maxTokens"> & {policy?: "off"};

async function complete(engine: DraftstopEngine, document: string, eol: CaseEntry["eol"], overrides: Overrides): Promise<{text: string; tokens: Token[]}> {
  const {cursor} = caseContext({document, eol, where: "capture"});
  const {policy, ...generate} = overrides;
  const options = {...generateOptionsFrom(defaultSettings()), ...generate};
  const prompt = engine.buildFimPrompt({prefix: cursor.prefix, suffix: cursor.suffix}, {maxTokens: engine.info.contextSize - options.maxTokens! - 32});
  engine.setPolicy(policy === "off" ? {name: "off"} : policySpecFrom(defaultSettings()));
  const result = await engine.generate(prompt.tokens, options);
  return {text: result.text, tokens: [...result.tokens]};
}

async function recapture(engine: DraftstopEngine, root: string): Promise<void> {
  let changed = 0;
  for (const file of caseFilesIn(CAPTURED_DIR)) {
    const [entry, ...more] = parseCaseFile(readFileSync(path.join(root, file), "utf8"), file);
    if (more.length > 0) throw new Error(`${file}: one captured case a file`);
    const overrides = JSON.parse(entry!.options.generate ?? "{}") as Overrides;
    const {text} = await complete(engine, entry!.document, entry!.eol, overrides);
    if (text === entry!.completion) {
      console.log(`same     ${file}`);
      continue;
    }
    changed++;
    const {where, ...rest} = entry!;
    writeFileSync(path.join(root, file), formatCase({...rest, completion: text, expected: TODO}));
    console.log(`CHANGED  ${file}: the model now writes ${JSON.stringify(text)}; write its expected text again`);
  }
  console.log(changed === 0 ? "every captured completion is as stored" : `${changed} captured completions changed`);
  if (changed > 0) process.exitCode = 1;
}

interface ScanOptions {
  count: number;
  seed: number;
  kinds: readonly Kind[];
  temperature?: number;
}

async function scan(engine: DraftstopEngine, root: string, {count, seed, kinds, temperature}: ScanOptions): Promise<void> {
  if (!Number.isInteger(count) || count < 1) throw new Error("--scan needs a number of positions");
  const outDir = path.join(root, ".cache", "draftstop", "captured-candidates");
  mkdirSync(outDir, {recursive: true});
  const files = sourceFiles([path.join(root, "src"), path.join(root, "test")], [".ts"])
    .filter(file => !path.relative(root, file).split(path.sep).join("/").startsWith(SKIP));
  const prng = new Prng(seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  let written = 0;
  for (let i = 0; i < count; i++) {
    const file = files[pick(files.length)]!;
    const kind = kinds[pick(kinds.length)]!;
    const eol = pick(4) === 0 ? "\r\n" : "\n";
    const source = readFileSync(file, "utf8");
    if (source.includes(CURSOR)) continue; // the marker must be the cursor alone
    const cut = cutPosition(source.split(/\r?\n/), kind, pick);
    if (!cut) continue;
    const relative = path.relative(root, file).split(path.sep).join("/");
    const overrides: Overrides = temperature === undefined ? {} : {temperature, seed: seed * 100_000 + i};
    const capture = await captureAt(engine, cut, eol, kind, `${relative}:${cut.line + 1}:${cut.column + 1}`, overrides);
    if (!capture) continue;
    const name = `${path.basename(file, ".ts")}-${cut.line + 1}-${kind}${eol === "\r\n" ? "-crlf" : ""}`;
    if (existsSync(path.join(root, CAPTURED_DIR, `${name}.txt`))) continue;
    let text: string;
    try {
      text = formatCase({...capture.entry, name});
    } catch (error) {
      console.log(`${name}: skipped (${(error as Error).message})`);
      continue;
    }
    writeFileSync(path.join(outDir, `${name}.txt`), text);
    written++;
    console.log(`${name}: changed by ${capture.changedBy.join(", ")}`);
  }
  console.log(`${written} candidates in ${outDir}`);
}

interface Cut {
  /** The document's lines, the cursor's line holding the cursor marker. */
  lines: string[];
  line: number;
  column: number;
  /** What the cut did, for the case's source line. */
  how: string;
}

function cutPosition(lines: string[], kind: Kind, pick: (n: number) => number): Cut | undefined {
  const candidates = lines.map((text, line) => ({text, line})).filter(({text}) => text.trim().length >= 8);
  const pool = kind === "non-ascii" ? candidates.filter(({text}) => /[^\x00-\x7f]/.test(text))
    : kind === "closers-kept" ? candidates.filter(({text}) => /[^)\]}"'`;,\s][)\]}"'`;,]+$/.test(text))
    : kind === "body-removed" ? candidates.filter(({text}) => /[{[(]$/.test(text.trimEnd()))
    : candidates;
  if (pool.length === 0) return undefined;
  const {text, line} = pool[pick(pool.length)]!;
  const indent = text.length - text.trimStart().length;
  const at = (column: number, rest: string, how: string, doc = lines): Cut =>
    ({lines: [...doc.slice(0, line), text.slice(0, column) + CURSOR + rest, ...doc.slice(line + 1)], line, column, how});
  switch (kind) {
    case "line-end": {
      const column = indent + 1 + pick(text.length - indent - 1);
      return at(column, "", `rest of the line removed (${JSON.stringify(text.slice(column))})`);
    }
    case "closers-kept": {
      const closers = /[)\]}"'`;,]+$/.exec(text)![0];
      const end = text.length - closers.length;
      if (end - indent < 2) return undefined;
      const column = indent + 1 + pick(end - indent - 1);
      return at(column, closers, `middle of the line removed (${JSON.stringify(text.slice(column, end))}), ${JSON.stringify(closers)} kept`);
    }
    case "body-removed": {
      const end = lines.findIndex((l, i) => i > line && l.trim() !== "" && l.length - l.trimStart().length <= indent);
      if (end <= line + 1) return undefined;
      const doc = [...lines.slice(0, line + 1), ...lines.slice(end)];
      return at(text.trimEnd().length, "", `the block's body removed (lines ${line + 2}-${end})`, doc);
    }
    case "new-line": {
      const next = lines.slice(line + 1).find(l => l.trim() !== "");
      if (next === undefined) return undefined;
      const indentation = /^[ \t]*/.exec(next)![0];
      const doc = [...lines.slice(0, line + 1), indentation + CURSOR, ...lines.slice(line + 1)];
      return {lines: doc, line: line + 1, column: indentation.length, how: `an empty line opened after line ${line + 1}, indented like the next line`};
    }
    case "non-ascii": {
      const column = text.search(/[^\x00-\x7f]/);
      if (column <= indent) return undefined;
      return at(column, "", `rest of the line removed (${JSON.stringify(text.slice(column))})`);
    }
  }
}

async function captureAt(engine: DraftstopEngine, cut: Cut, eol: CaseEntry["eol"], kind: Kind, where: string, overrides: Overrides): Promise<Capture | undefined> {
  const window = cut.lines.slice(Math.max(0, cut.line - ABOVE), cut.line + BELOW + 1);
  const document = window.join(eol);
  // Sampled speculative decoding draws differently under another token limit; the target alone
  // (policy off) draws token by token, so a lower limit gives the same text, cut.
  if (kind === "non-ascii" && overrides.temperature) overrides = {...overrides, policy: "off"};
  let {text, tokens} = await complete(engine, document, eol, overrides);
  if (kind === "non-ascii") {
    // The first token count whose text ends inside a multi-byte character: complete again with that limit.
    if (!text.endsWith("\uFFFD")) {
      const k = tokens.findIndex((_, i) => engine.detokenize(tokens.slice(0, i + 1)).endsWith("\uFFFD")) + 1;
      if (k === 0) return undefined;
      overrides = {...overrides, maxTokens: k};
      ({text} = await complete(engine, document, eol, overrides));
      if (!text.endsWith("\uFFFD")) return undefined;
    }
  }
  const {context} = caseContext({document, eol, where});
  const shown = postprocessCompletion(text, context, {maxLines: defaultSettings().maxLines});
  if (text.trim() === "" || shown === text) return undefined;
  const changedBy: string[] = [];
  let current = text;
  for (const rule of postprocessRules({maxLines: defaultSettings().maxLines})) {
    const next = rule(current, {...context, tabSize: POSTPROCESS_DEFAULTS.tabSize});
    if (next !== current) changedBy.push(rule.name || "maxLines");
    current = next;
  }
  const options: CaseEntry["options"] = {
    ...(eol === "\r\n" ? {eol: "crlf"} : {}),
    source: `${where}, ${kind}: ${cut.how}${eol === "\r\n" ? ", written with CRLF" : ""}`,
    model: MODEL,
    ...(Object.keys(overrides).length === 0 ? {} : {generate: JSON.stringify(overrides)}),
    note: [`changed by ${changedBy.join(", ")}; the pipeline now shows ${JSON.stringify(shown ?? null)}`]
  };
  return {entry: {name: where, options, eol, document, completion: text, expected: TODO}, changedBy};
}

if (require.main === module)
  main().catch(error => {
    console.error(`capture: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  });
