import assert from "node:assert/strict";
import {acceptedDocument, PrefetchDrop, Prefetcher} from "../../../src/extension/completion/prefetch";
import type {CompletionKey} from "../../../src/extension/completion/completionCache";

const lines = (text: string) => {
  const all = text.split("\n");
  return {lineCount: all.length, lineAt: (line: number) => all[line]!};
};
const textOf = (doc: {lineCount: number; lineAt(line: number): string}) => Array.from({length: doc.lineCount}, (_, i) => doc.lineAt(i)).join("\n");
const key = (prefix: string): CompletionKey => ({uri: "file:///a.ts", languageId: "typescript", prefix, suffix: ""});

/** A prefetch whose generation finishes when the test says so, and records its signal. */
function controllable() {
  let finish!: (text: string | undefined) => void;
  let signal!: AbortSignal;
  const run = (s: AbortSignal) => {
    signal = s;
    return new Promise<string | undefined>(resolve => {
      finish = resolve;
      s.addEventListener("abort", () => resolve(undefined));
    });
  };
  return {run, finish: (text: string | undefined) => finish(text), signal: () => signal};
}

describe("prefetch: the completion after the shown one", () => {
  it("sees the document as it will be once the shown text is accepted, and the cursor after it", () => {
    const doc = lines("function f() {\n  const a = \n}");
    const one = acceptedDocument(doc, {line: 1, character: 12}, "1;");
    assert.equal(textOf(one.doc), "function f() {\n  const a = 1;\n}");
    assert.deepEqual(one.position, {line: 1, character: 14});
    const block = acceptedDocument(doc, {line: 1, character: 12}, "[\n    1,\n  ];");
    assert.equal(textOf(block.doc), "function f() {\n  const a = [\n    1,\n  ];\n}");
    assert.deepEqual(block.position, {line: 3, character: 4});
    assert.equal(block.doc.lineAt(4), "}", "lines below move down");
    const crlf = acceptedDocument(lines("x"), {line: 0, character: 1}, "\r\ny");
    assert.equal(textOf(crlf.doc), "x\ny");
  });

  it("serves a request for its own place once its generation ends, and the text it generated", async () => {
    const dropped: PrefetchDrop[] = [];
    const prefetcher = new Prefetcher((_, why) => dropped.push(why));
    const generation = controllable();
    prefetcher.start(key("a = 1;"), "1;", {line: 0, character: 4}, generation.run);
    const taken = prefetcher.take(key("a = 1;"));
    generation.finish("\nb = 2;");
    assert.equal(await taken, "\nb = 2;");
    assert.equal(prefetcher.active, false);
    assert.deepEqual(dropped, []);
  });

  it("is dropped, its generation aborted, by a request for any other place", async () => {
    const dropped: PrefetchDrop[] = [];
    const prefetcher = new Prefetcher((_, why) => dropped.push(why));
    const generation = controllable();
    prefetcher.start(key("a = 1;"), "1;", {line: 0, character: 4}, generation.run);
    assert.equal(await prefetcher.take(key("a = 2")), undefined);
    assert.ok(generation.signal().aborted);
    assert.deepEqual(dropped, ["otherRequest"]);
  });

  it("goes on while the shown text is typed or accepted, and is dropped by any other edit", () => {
    const dropped: PrefetchDrop[] = [];
    const prefetcher = new Prefetcher((_, why) => dropped.push(why));
    const at = {line: 2, character: 4};
    prefetcher.start(key("p"), "ab\ncd", at, controllable().run);
    prefetcher.edited("file:///a.ts", [{line: 2, character: 4, rangeLength: 0, text: "a"}]);
    prefetcher.edited("file:///a.ts", [{line: 2, character: 5, rangeLength: 0, text: "b\ncd"}]);
    prefetcher.edited("file:///other.ts", [{line: 0, character: 0, rangeLength: 0, text: "z"}]);
    assert.equal(prefetcher.active, true, "typed through, then accepted the rest");
    prefetcher.start(key("p"), "cd", {line: 2, character: 6}, controllable().run);
    assert.equal(prefetcher.active, true);
    prefetcher.edited("file:///a.ts", [{line: 2, character: 6, rangeLength: 0, text: "x"}]);
    assert.equal(prefetcher.active, false);
    assert.deepEqual(dropped, ["edited"]);
  });

  it("keeps computing its place when the rest of the same ghost text is shown again", () => {
    const dropped: PrefetchDrop[] = [];
    const prefetcher = new Prefetcher((_, why) => dropped.push(why));
    const first = controllable();
    prefetcher.start(key("p"), "abc", {line: 0, character: 0}, first.run);
    prefetcher.start(key("p"), "bc", {line: 0, character: 1}, controllable().run);
    assert.equal(first.signal().aborted, false);
    assert.deepEqual(dropped, []);
  });
});
