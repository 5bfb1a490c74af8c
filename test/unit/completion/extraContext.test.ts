// The extra context's pure parts: chunks, similarity, the ring buffer's choice (stable across
// keystrokes for the KV cache), and the files.exclude/.gitignore rules.
import assert from "node:assert/strict";
import {chunkAround, jaccard, wordsOf} from "../../../src/extension/completion/extraContext/chunking";
import {ChunkRing, SelectRequest} from "../../../src/extension/completion/extraContext/chunkRing";
import {activeExcludePatterns, excludingPattern, gitignoreDirs, ignoringGitignore} from "../../../src/extension/completion/extraContext/exclusion";
import {lineCommentFor} from "../../../src/extension/completion/extraContext/lineComment";
import {describeOutcome} from "../../../src/extension/completion/requestOutcome";
import {RequestOutcomes} from "../../../src/extension/completion/requestOutcomes";
import {extraContextHtml} from "../../../src/extension/ui/requestsTable";

const lines = Array.from({length: 100}, (_, i) => `line${i}`);
const lineAt = (l: number) => lines[l]!;

function chunkOf(uri: string, text: string, startLine = 0, languageId = "typescript") {
  return {uri, path: uri.replace(/^file:\/\/\/ws\//, ""), languageId, startLine, text};
}

const request = (over: Partial<SelectRequest> = {}): SelectRequest =>
  ({uri: "file:///ws/main.ts", neighbourhood: wordsOf("rectangle area width height"), windowKey: "0", maxChars: 10_000, disabledLanguages: [], ...over});

describe("extra context: chunks and similarity", () => {
  it("cuts a chunk centred on a line, moved inward at the ends", () => {
    assert.deepEqual(chunkAround(lineAt, 100, 50, 4), {startLine: 48, text: "line48\nline49\nline50\nline51"});
    assert.equal(chunkAround(lineAt, 100, 1, 4).startLine, 0);
    assert.equal(chunkAround(lineAt, 100, 99, 4).startLine, 96);
    assert.equal(chunkAround(lineAt, 3, 1, 32).text, "line0\nline1\nline2", "a short document is one chunk");
  });

  it("scores by shared identifiers", () => {
    assert.equal(jaccard(wordsOf("a.width * a.height"), wordsOf("width height")), 1, "one-letter names do not count");
    assert.equal(jaccard(wordsOf("width depth"), wordsOf("width height")), 1 / 3);
    assert.equal(jaccard(new Set(), new Set()), 0);
  });

  it("knows the line comment of common languages", () => {
    assert.equal(lineCommentFor("python"), "#");
    assert.equal(lineCommentFor("sql"), "--");
    assert.equal(lineCommentFor("typescript"), "//");
    assert.equal(lineCommentFor("some-new-language"), "//");
  });
});

describe("extra context: the ring buffer", () => {
  it("keeps the newest chunks up to its capacity and skips what it has", () => {
    const ring = new ChunkRing({capacity: 3});
    for (let i = 0; i < 5; i++) assert.equal(ring.add(chunkOf(`file:///ws/f${i}.ts`, `export const value${i} = ${i};`)), true);
    assert.deepEqual(ring.all.map(c => c.path), ["f2.ts", "f3.ts", "f4.ts"]);
    assert.equal(ring.add(chunkOf("file:///ws/f4.ts", "export const value4 = 4;")), false, "the same text again changes nothing");
    assert.equal(ring.add(chunkOf("file:///ws/blank.ts", "  \n ")), false, "blank chunks are not kept");
  });

  it("replaces a chunk it overlaps by more than half, or a near-copy of it from another file", () => {
    const ring = new ChunkRing();
    const text = (from: number) => lines.slice(from, from + 32).join("\n");
    ring.add(chunkOf("file:///ws/a.ts", text(0), 0));
    ring.add(chunkOf("file:///ws/a.ts", text(10), 10));
    assert.deepEqual(ring.all.map(c => c.startLine), [10], "lines 10..41 replace lines 0..31");
    ring.add(chunkOf("file:///ws/a.ts", text(60), 60));
    assert.equal(ring.size, 2, "a chunk elsewhere in the file is kept beside it");
    ring.add(chunkOf("file:///ws/copy.ts", text(60), 0));
    assert.deepEqual(ring.all.map(c => c.path), ["a.ts", "copy.ts"], "a copy in another file replaces the original");
  });

  it("leaves out the document being completed and disabled languages, and ranks the rest by similarity", () => {
    const ring = new ChunkRing();
    ring.add(chunkOf("file:///ws/unrelated.ts", "function parseDate(text) { return new Date(text); }"));
    ring.add(chunkOf("file:///ws/shapes.ts", "function area(rectangle) { return rectangle.width * rectangle.height; }"));
    ring.add(chunkOf("file:///ws/main.ts", "rectangle area width height"));
    ring.add(chunkOf("file:///ws/notes.md", "rectangle area width height notes", 0, "markdown"));
    const chosen = ring.select(request({disabledLanguages: ["markdown"]}));
    assert.deepEqual(chosen.map(c => c.chunk.path).sort(), ["shapes.ts", "unrelated.ts"]);
    const scores = new Map(chosen.map(c => [c.chunk.path, c.score]));
    assert.ok(scores.get("shapes.ts")! > scores.get("unrelated.ts")!);
    const tight = ring.select(request({disabledLanguages: ["markdown"], maxChars: 80, windowKey: "1"}));
    assert.deepEqual(tight.map(c => c.chunk.path), ["shapes.ts"], "a tight budget keeps the most similar");
  });

  it("gives every keystroke in the same window the same chunks in the same order, and keeps their places when the ring grows", () => {
    const ring = new ChunkRing();
    ring.add(chunkOf("file:///ws/a.ts", "alpha beta gamma"));
    ring.add(chunkOf("file:///ws/b.ts", "delta epsilon"));
    const first = ring.select(request({neighbourhood: wordsOf("alpha")}));
    const typed = ring.select(request({neighbourhood: wordsOf("delta epsilon zeta")}));
    assert.equal(typed, first, "same ring, document and window: the same choice");
    ring.add(chunkOf("file:///ws/c.ts", "delta epsilon zeta eta theta"));
    const grown = ring.select(request({neighbourhood: wordsOf("delta epsilon zeta")}));
    assert.deepEqual(grown.map(c => c.chunk.path), [...first.map(c => c.chunk.path), "c.ts"], "the new chunk goes after the old ones");
  });

  it("forgets a deleted document", () => {
    const ring = new ChunkRing();
    ring.add(chunkOf("file:///ws/a.ts", "alpha beta"));
    ring.add(chunkOf("file:///ws/b.ts", "gamma delta"));
    ring.removeDocument("file:///ws/a.ts");
    assert.deepEqual(ring.select(request()).map(c => c.chunk.path), ["b.ts"]);
  });
});

describe("extra context: files.exclude and .gitignore", () => {
  it("applies files.exclude patterns set to true to the file and the folders above it", () => {
    const patterns = activeExcludePatterns({"**/.git": true, "**/*.secret.ts": true, "build": true, "**/*.js": {when: "$(basename).ts"}, "off/**": false});
    assert.deepEqual(patterns, ["**/.git", "**/*.secret.ts", "build"]);
    assert.equal(excludingPattern("src/keys.secret.ts", patterns), "**/*.secret.ts");
    assert.equal(excludingPattern("build/out/main.ts", patterns), "build", "a folder's pattern hides what is in it");
    assert.equal(excludingPattern("sub/.git/config", patterns), "**/.git");
    assert.equal(excludingPattern("src/main.ts", patterns), undefined);
    assert.equal(excludingPattern("src/main.js", patterns), undefined, "when-clauses are not applied");
    assert.deepEqual(activeExcludePatterns(undefined), []);
  });

  it("applies every .gitignore from the workspace folder down, each relative to its own folder", () => {
    assert.deepEqual(gitignoreDirs("a/b/c.ts"), ["", "a", "a/b"]);
    const files = [{dir: "", content: "secret/\n*.log\n"}, {dir: "pkg", content: "/generated.ts\n"}];
    assert.equal(ignoringGitignore("secret/keys.ts", files), "");
    assert.equal(ignoringGitignore("deep/secret/keys.ts", files), "");
    assert.equal(ignoringGitignore("pkg/generated.ts", files), "pkg");
    assert.equal(ignoringGitignore("generated.ts", files), undefined, "pkg's anchored pattern is pkg's only");
    assert.equal(ignoringGitignore("src/main.ts", files), undefined);
  });
});

describe("extra context: what it cost, in the log and the panel", () => {
  const outcome = (evaluated: number) => ({reason: "shown" as const, where: "main.ts:3:1", trigger: "invoked" as const, elapsedMs: 40, at: 0, tokens: 5,
    extraContext: {files: 2, tokens: 300, evaluated, prefillMs: evaluated / 10}});

  it("writes the files and tokens in the request's log line", () => {
    assert.match(describeOutcome(outcome(0)), /context from 2 files, 300 tokens reused/);
    assert.match(describeOutcome(outcome(120)), /context from 2 files, 300 tokens \(120 evaluated\)/);
  });

  it("counts how often the KV cache held it and what it cost in prefill", () => {
    const outcomes = new RequestOutcomes();
    outcomes.record(outcome(300));
    outcomes.record(outcome(0));
    outcomes.record({...outcome(0), extraContext: undefined});
    assert.deepEqual(outcomes.extraContext, {requests: 2, reused: 1, tokens: 600, evaluated: 300, prefillMs: 30});
    const html = extraContextHtml(outcomes.extraContext, true);
    assert.match(html, /2 completions carried chunks of other files, 300 tokens on average; 1 \(50 %\) found them all in the KV cache\. 300 tokens evaluated for it, about 30 ms/);
    assert.match(extraContextHtml(new RequestOutcomes().extraContext, true), /No completion has had extra context yet/);
    assert.match(extraContextHtml(outcomes.extraContext, false), /Extra context is off/);
    outcomes.clear();
    assert.equal(outcomes.extraContext.requests, 0);
  });
});
