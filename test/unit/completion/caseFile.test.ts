import assert from "node:assert/strict";
import {caseContext, formatCase, parseCaseFile, toRuleCase} from "./caseFile";

const file = [
  "A comment before the first case.",
  "=== CRLF, escapes and a trailing line break",
  "eol: crlf",
  "tabSize: 2",
  "note: free text",
  "--- document",
  "function f() {",
  "␉x = █;",
  "}",
  "--- completion",
  "a␠␠␍",
  "b",
  "",
  "--- expected",
  "a",
  "=== empty texts",
  "--- document",
  "█",
  "--- completion",
  "--- expected",
  ""
].join("\n");

describe("post-processing case files", () => {
  const [first, second] = parseCaseFile(file, "inline");

  it("decodes sections exactly: escapes, the case's eol, a trailing empty line", () => {
    assert.equal(first!.document, "function f() {\r\n\tx = █;\r\n}");
    assert.equal(first!.completion, "a  \r\nb\n");
    assert.equal(first!.expected, "a");
    assert.deepEqual(first!.options, {eol: "crlf", tabSize: "2", note: ["free text"]});
    assert.equal(second!.completion, "");
    assert.equal(second!.expected, "");
  });

  it("derives the context from the document with extractCursorContext", () => {
    const c = toRuleCase(first!);
    assert.deepEqual(c.context, {linePrefix: "\tx = ", lineSuffix: ";", suffix: ";\r\n}", indentation: "\t", eol: "\r\n", lines: "line", tabSize: 2});
    assert.equal(c.cursor.prefix, "function f() {\r\n\tx = ");
  });

  it("writes what it reads", () => {
    const again = parseCaseFile(formatCase(first!) + formatCase(second!), "again");
    assert.deepEqual(again.map(({where, ...rest}) => rest), [first, second].map(entry => {
      const {where, ...rest} = entry!;
      return rest;
    }));
  });

  it("rejects a document without exactly one cursor, an unknown option, a missing section", () => {
    assert.throws(() => caseContext({document: "no cursor", eol: "\n", where: "x"}), /exactly one █/);
    assert.throws(() => caseContext({document: "█ █", eol: "\n", where: "x"}), /exactly one █/);
    assert.throws(() => parseCaseFile("=== a\nlinePrefix: x\n--- document\n█\n--- completion\n--- expected\n", "f"), /unknown option/);
    assert.throws(() => parseCaseFile("=== a\n--- document\n█\n--- expected\n", "f"), /--- completion/);
  });

  it("refuses to write text that would read back differently", () => {
    const entry = {name: "n", options: {}, eol: "\n" as const, document: "█", completion: "--- document", expected: ""};
    assert.throws(() => formatCase(entry), /header/);
    assert.throws(() => formatCase({...entry, completion: "a␠"}), /escape/);
  });
});
