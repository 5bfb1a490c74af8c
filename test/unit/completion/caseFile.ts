// Post-processing cases as documents. A case file (cases/<rule>.txt, captured/*.txt) holds cases
// written one after another:
//
//   === name of the case
//   eol: crlf                      options, one per line, all optional (see OPTION_KEYS)
//   --- document
//     console.log(█)               the file as the editor holds it; █ is the cursor
//   }
//   --- completion
//   foo(a, b))                     the raw model output
//   --- expected
//   foo(a, b)                      what the rule (or the whole pipeline) must return
//
// A section is exactly the lines between its header and the next header ("=== " or "--- <word>"),
// joined by line breaks: an empty last line is a trailing line break, no line at all is "". Lines
// before the first "=== " are a comment. Invisible characters are written visibly: ␠ a space
// (only where it would be trailing), ␉ a tab, ␍ a carriage return. The completion is joined with
// "\n", as models write it (␍ at a line's end makes that break "\r\n"); the document and the
// expected text are joined with the case's eol ("\n", or "\r\n" with `eol: crlf`), since every
// rule that splits lines returns them joined with the document's line break. An empty expected
// text means "nothing": "" from a single rule, no ghost text (undefined) from the pipeline.
//
// The context a rule sees (linePrefix, lineSuffix, suffix, indentation) is never written by hand:
// caseContext derives it from the document with the real extractCursorContext, using the
// settings' default prefixLines and suffixLines, exactly as the provider does.
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import path from "node:path";
import {repoRoot} from "../../../src/lab/cli/repoRoot";
import {CursorContext, extractCursorContext} from "../../../src/extension/completion/context";
import type {PostprocessContext} from "../../../src/extension/completion/postprocess";
import {completionLines} from "../../../src/engine/completionStop";
import {defaultSettings} from "../../../src/extension/settings/schema";

export const CURSOR = "█";
export const CASES_DIR = "test/unit/completion/cases";
export const CAPTURED_DIR = "test/unit/completion/captured";

/**
 * Options a case may set. eol, tabSize, maxLines and trigger (automatic, the default, or invoked: the
 * stop rules' mode, src/engine/completionStop.ts) change what the rules see; the rest describe a captured case.
 */
const OPTION_KEYS = ["eol", "tabSize", "maxLines", "trigger", "source", "model", "generate", "note"] as const;
type OptionKey = typeof OPTION_KEYS[number];
const SECTIONS = ["document", "completion", "expected"] as const;
const HEADER = /^(=== |--- \w+$)/;

/** A case as written: the three texts decoded, the options as given. */
export interface CaseEntry {
  name: string;
  /** "file:line" of the case's === line, for messages. */
  where: string;
  options: Partial<Record<Exclude<OptionKey, "note">, string>> & {note?: string[]};
  eol: "\n" | "\r\n";
  document: string;
  completion: string;
  expected: string;
}

/** A case ready to run: the context derived from its document. */
export interface RuleCase extends CaseEntry {
  context: PostprocessContext;
  cursor: CursorContext;
  maxLines?: number;
}

export function parseCaseFile(text: string, file: string): CaseEntry[] {
  const lines = text.split(/\r?\n/);
  assert.equal(lines.pop(), "", `${file}: must end with a line break`);
  const entries: CaseEntry[] = [];
  let i = lines.findIndex(line => line.startsWith("=== "));
  while (i !== -1 && i < lines.length) {
    const where = `${file}:${i + 1}`;
    const name = lines[i]!.slice(4).trim();
    assert.ok(name, `${where}: a case needs a name`);
    const options: CaseEntry["options"] = {};
    for (i++; i < lines.length && !lines[i]!.startsWith("--- "); i++) {
      const line = lines[i]!;
      if (line.trim() === "" || line.startsWith("#")) continue;
      const match = /^(\w+):\s?(.*)$/.exec(line);
      assert.ok(match && (OPTION_KEYS as readonly string[]).includes(match[1]!), `${file}:${i + 1}: unknown option line ${JSON.stringify(line)} (known: ${OPTION_KEYS.join(", ")})`);
      const key = match[1] as OptionKey;
      if (key === "note") (options.note ??= []).push(match[2]!);
      else options[key] = match[2]!.trim();
    }
    const sections: Partial<Record<typeof SECTIONS[number], string[]>> = {};
    for (const section of SECTIONS) {
      assert.equal(lines[i], `--- ${section}`, `${file}:${i + 1}: expected "--- ${section}" in case ${JSON.stringify(name)}`);
      const start = ++i;
      while (i < lines.length && !HEADER.test(lines[i]!)) i++;
      sections[section] = lines.slice(start, i);
    }
    assert.ok(i === lines.length || lines[i]!.startsWith("=== "), `${file}:${i + 1}: expected the next "=== " case`);
    const eolOption = options.eol ?? "lf";
    assert.ok(eolOption === "lf" || eolOption === "crlf", `${where}: eol must be lf or crlf`);
    const eol = eolOption === "crlf" ? "\r\n" : "\n";
    entries.push({
      name, where, options, eol,
      document: decodeText(sections.document!).join(eol),
      completion: decodeText(sections.completion!).join("\n"),
      expected: decodeText(sections.expected!).join(eol)
    });
  }
  assert.ok(entries.length > 0, `${file}: no cases`);
  return entries;
}

/** The context a rule sees for a case, derived from its document by the real extractCursorContext. */
export function caseContext(entry: Pick<CaseEntry, "document" | "eol" | "where">, tabSize?: number, invoked = false): {context: PostprocessContext; cursor: CursorContext} {
  const at = entry.document.indexOf(CURSOR);
  assert.ok(at !== -1 && entry.document.indexOf(CURSOR, at + 1) === -1, `${entry.where}: the document needs exactly one ${CURSOR}`);
  const before = entry.document.slice(0, at).split(/\r\n|\r|\n/);
  const lines = (entry.document.slice(0, at) + entry.document.slice(at + CURSOR.length)).split(/\r\n|\r|\n/);
  const {prefixLines, suffixLines} = defaultSettings();
  const cursor = extractCursorContext({lineCount: lines.length, lineAt: line => lines[line]!},
    {line: before.length - 1, character: before[before.length - 1]!.length}, {prefixLines, suffixLines, eol: entry.eol});
  const context: PostprocessContext = {linePrefix: cursor.linePrefix, lineSuffix: cursor.lineSuffix, suffix: cursor.suffix,
    indentation: cursor.indentation, eol: entry.eol, lines: completionLines(cursor.linePrefix, cursor.lineSuffix, invoked),
    ...(tabSize === undefined ? {} : {tabSize})};
  return {context, cursor};
}

export function toRuleCase(entry: CaseEntry): RuleCase {
  const number = (key: "tabSize" | "maxLines") => {
    const value = entry.options[key];
    if (value === undefined) return undefined;
    assert.ok(/^\d+$/.test(value), `${entry.where}: ${key} must be a whole number`);
    return Number(value);
  };
  const maxLines = number("maxLines");
  const trigger = entry.options.trigger ?? "automatic";
  assert.ok(trigger === "automatic" || trigger === "invoked", `${entry.where}: trigger must be automatic or invoked`);
  return {...entry, ...caseContext(entry, number("tabSize"), trigger === "invoked"), ...(maxLines === undefined ? {} : {maxLines})};
}

/** The cases of one file under the repository root. */
export function loadCases(file: string): RuleCase[] {
  return parseCaseFile(readFileSync(path.join(repoRoot(), file), "utf8"), file).map(toRuleCase);
}

/** Every case file (*.txt) in a folder under the repository root, sorted. */
export function caseFilesIn(dir: string): string[] {
  return readdirSync(path.join(repoRoot(), dir)).filter(name => name.endsWith(".txt")).sort().map(name => `${dir}/${name}`);
}

/** Writes a case in the format above (for the capture script); throws on text the format cannot hold. */
export function formatCase(entry: Omit<CaseEntry, "where">): string {
  const out = [`=== ${entry.name}`];
  for (const key of OPTION_KEYS) {
    const value = entry.options[key];
    if (value === undefined) continue;
    for (const line of Array.isArray(value) ? value : [value]) out.push(`${key}: ${line}`);
  }
  const split = (text: string, eol: string) => text === "" ? [] : text.split(eol);
  out.push("--- document", ...encodeText(split(entry.document, entry.eol)));
  out.push("--- completion", ...encodeText(split(entry.completion, "\n")));
  out.push("--- expected", ...encodeText(split(entry.expected, entry.eol)));
  return out.join("\n") + "\n";
}

function decodeText(lines: string[]): string[] {
  return lines.map(line => line.replace(/␠/g, " ").replace(/␉/g, "\t").replace(/␍/g, "\r"));
}

function encodeText(lines: string[]): string[] {
  return lines.map(line => {
    assert.ok(!/[␠␉␍]/.test(line), `text holds an escape character itself: ${JSON.stringify(line)}`);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000a-\u000c\u000e-\u001f\ud800-\udfff]/.test(line.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "")),
      `text holds a character the format cannot show: ${JSON.stringify(line)}`);
    const encoded = line.replace(/\t/g, "␉").replace(/\r/g, "␍").replace(/ +$/, spaces => "␠".repeat(spaces.length));
    assert.ok(!HEADER.test(encoded), `a line of text would read as a header: ${JSON.stringify(line)}`);
    return encoded;
  });
}
