import assert from "node:assert/strict";
import {besideWidgetIsDrawable, withSelectedItem} from "../../../src/extension/completion/suggestWidget";
import {extractCursorContext} from "../../../src/extension/completion/context";

const lines = (text: string) => {
  const all = text.split("\n");
  return {lineCount: all.length, lineAt: (line: number) => all[line]!};
};

describe("suggest widget: completing after the selected item", () => {
  it("builds the prompt as if the selected item replaced the part of the word typed so far", () => {
    const doc = lines("const items = [1, 2];\nconst big = items.fi\nconsole.log(big);");
    const {doc: edited, position} = withSelectedItem(doc, {start: {line: 1, character: 18}, end: {line: 1, character: 20}}, "filter");
    assert.equal(edited.lineAt(1), "const big = items.filter");
    assert.deepEqual(position, {line: 1, character: 24});
    const cursor = extractCursorContext(edited, position, {prefixLines: 10, suffixLines: 10, eol: "\n"});
    assert.equal(cursor.prefix, "const items = [1, 2];\nconst big = items.filter");
    assert.equal(cursor.suffix, "\nconsole.log(big);");
  });

  it("knows which selected items VS Code can draw ghost text beside: those that continue what their range holds", () => {
    assert.ok(besideWidgetIsDrawable("", "max"), "nothing typed after the dot");
    assert.ok(besideWidgetIsDrawable("fi", "filter"), "the word typed so far");
    assert.ok(!besideWidgetIsDrawable(".", "[Symbol.iterator]"), "TypeScript's symbol-keyed member rewrites the dot before the cursor");
    assert.ok(!besideWidgetIsDrawable("IT", "items"), "a case change rewrites typed text too");
  });

  it("inserts at an empty range (nothing typed after the dot), keeping the rest of the line", () => {
    const doc = lines("Math.)");
    const {doc: edited, position} = withSelectedItem(doc, {start: {line: 0, character: 5}, end: {line: 0, character: 5}}, "max");
    assert.equal(edited.lineAt(0), "Math.max)");
    assert.deepEqual(position, {line: 0, character: 8});
    assert.equal(edited.lineCount, 1);
  });

  it("gives each selected item its own prompt, so the cache keeps them apart", () => {
    const doc = lines("const n = Math.");
    const prompt = (text: string) => {
      const {doc: edited, position} = withSelectedItem(doc, {start: {line: 0, character: 15}, end: {line: 0, character: 15}}, text);
      return extractCursorContext(edited, position, {prefixLines: 10, suffixLines: 10, eol: "\n"}).prefix;
    };
    assert.notEqual(prompt("max"), prompt("min"));
    assert.equal(prompt("max"), "const n = Math.max");
  });
});
