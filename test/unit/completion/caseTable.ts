// Loads the known-bad (and known-good) completions in cases/*.json. Each case is
// {name, linePrefix, lineSuffix, suffix, indentation, completion, expected} with optional eol
// ("\n" unless given), tabSize and maxLines. Multi-line texts may be written as arrays of lines,
// joined with the case's eol. expected null means "dropped" (postprocessCompletion's undefined).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import path from "node:path";
import {repoRoot} from "../../../src/cli/repoRoot";
import type {PostprocessContext} from "../../../src/completion/postprocess";

type Text = string | string[];

export interface RuleCase {
  name: string;
  context: PostprocessContext;
  completion: string;
  expected: string | null;
  maxLines?: number;
}

export function loadCases(file: string): RuleCase[] {
  const raw: unknown = JSON.parse(readFileSync(path.join(repoRoot(), "test/unit/completion/cases", file), "utf8"));
  assert.ok(Array.isArray(raw) && raw.length > 0, `${file}: not a non-empty array`);
  return raw.map((entry: Record<string, unknown>, i) => {
    const where = `${file}[${i}] ${String(entry.name)}`;
    const eol = entry.eol ?? "\n";
    assert.ok(eol === "\n" || eol === "\r\n", `${where}: eol`);
    const text = (field: string): string => {
      const value = entry[field];
      assert.ok(typeof value === "string" || (Array.isArray(value) && value.every(v => typeof v === "string")), `${where}: ${field}`);
      return textOf(value as Text, eol);
    };
    const context: PostprocessContext = {
      linePrefix: text("linePrefix"),
      lineSuffix: text("lineSuffix"),
      suffix: text("suffix"),
      indentation: text("indentation"),
      eol,
      ...(entry.tabSize === undefined ? {} : {tabSize: entry.tabSize as number})
    };
    // Catch cases that could not come from a real cursor position.
    assert.ok(context.suffix.startsWith(context.lineSuffix), `${where}: suffix must start with lineSuffix`);
    assert.equal(context.indentation, /^[ \t]*/.exec(context.linePrefix + context.lineSuffix)![0], `${where}: indentation`);
    return {
      name: String(entry.name),
      context,
      completion: text("completion"),
      expected: entry.expected === null ? null : text("expected"),
      ...(entry.maxLines === undefined ? {} : {maxLines: entry.maxLines as number})
    };
  });
}

function textOf(value: Text, eol: string): string {
  return typeof value === "string" ? value : value.join(eol);
}
