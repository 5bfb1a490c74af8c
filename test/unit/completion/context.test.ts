import assert from "node:assert/strict";
import {CursorContextOptions, extractCursorContext, LineSource} from "../../../src/extension/completion/context";

function documentOf(text: string): LineSource {
  const lines = text.split(/\r?\n/);
  return {lineCount: lines.length, lineAt: line => lines[line]};
}

const lf: CursorContextOptions = {prefixLines: 2, suffixLines: 1, eol: "\n"};
const doc = documentOf(["line0", "line1", "  line2", "    line3 (x)", "line4", "line5"].join("\n"));

describe("extractCursorContext", () => {
  it("cuts a window of whole lines at the cursor", () => {
    assert.deepEqual(extractCursorContext(doc, {line: 3, character: 11}, lf), {
      prefix: "line1\n  line2\n    line3 (",
      suffix: "x)\nline4",
      linePrefix: "    line3 (",
      lineSuffix: "x)",
      indentation: "    ",
      prefixStartLine: 1
    });
  });

  it("joins lines with the document's CRLF", () => {
    const crlf = documentOf("a\r\nb\r\nc");
    const context = extractCursorContext(crlf, {line: 1, character: 1}, {prefixLines: 5, suffixLines: 5, eol: "\r\n"});
    assert.equal(context.prefix, "a\r\nb");
    assert.equal(context.suffix, "\r\nc");
    assert.equal(context.prefix + context.suffix, "a\r\nb\r\nc");
  });

  it("keeps the window's start while the user types within a line", () => {
    let text = ["a", "b", "c", "d", "e"].join("\n");
    const starts = new Set<number>();
    const prefixes: string[] = [];
    for (const typed of "foo(bar)") {
      const lines = text.split("\n");
      lines[4] += typed;
      text = lines.join("\n");
      const context = extractCursorContext(documentOf(text), {line: 4, character: lines[4].length}, lf);
      starts.add(context.prefixStartLine);
      prefixes.push(context.prefix);
    }
    assert.deepEqual([...starts], [2]);
    // Each prompt extends the one before it: the engine can reuse its evaluated prefix.
    for (let i = 1; i < prefixes.length; i++) assert.ok(prefixes[i].startsWith(prefixes[i - 1]), prefixes[i]);
  });

  it("moves the start with the cursor's line, or every stride lines with prefixAnchorStride", () => {
    const long = documentOf(Array.from({length: 40}, (_, i) => `l${i}`).join("\n"));
    const start = (line: number, stride?: number) =>
      extractCursorContext(long, {line, character: 0}, {...lf, prefixLines: 4, prefixAnchorStride: stride}).prefixStartLine;
    assert.deepEqual([10, 11, 12, 13].map(l => start(l)), [6, 7, 8, 9]);
    assert.deepEqual([10, 11, 12, 13, 14].map(l => start(l, 4)), [4, 4, 8, 8, 8]);
    // The stride only ever adds lines: at least prefixLines are above the cursor.
    for (let line = 0; line < 40; line++) assert.ok(line - start(line, 4) >= Math.min(line, 4));
  });

  it("clips the window at the document's edges", () => {
    const first = extractCursorContext(doc, {line: 0, character: 2}, {prefixLines: 10, suffixLines: 0, eol: "\n"});
    assert.equal(first.prefix, "li");
    assert.equal(first.suffix, "ne0");
    assert.equal(first.prefixStartLine, 0);
    const last = extractCursorContext(doc, {line: 5, character: 5}, {prefixLines: 0, suffixLines: 10, eol: "\n"});
    assert.equal(last.prefix, "line5");
    assert.equal(last.suffix, "");
  });

  it("clamps a cursor beyond the line or document end", () => {
    const context = extractCursorContext(doc, {line: 99, character: 99}, lf);
    assert.equal(context.linePrefix, "line5");
    assert.equal(context.lineSuffix, "");
  });

  it("reports the whole line's indentation, even with the cursor inside it", () => {
    const tabs = documentOf("\t\tx = 1");
    assert.equal(extractCursorContext(tabs, {line: 0, character: 1}, lf).indentation, "\t\t");
    assert.equal(extractCursorContext(documentOf("   "), {line: 0, character: 3}, lf).indentation, "   ");
  });

  it("handles an empty document", () => {
    const context = extractCursorContext({lineCount: 0, lineAt: () => ""}, {line: 0, character: 0}, lf);
    assert.equal(context.prefix + context.suffix, "");
  });
});
