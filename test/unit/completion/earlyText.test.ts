import assert from "node:assert/strict";
import {EarlyText, type EarlyTextOptions, wholeWords} from "../../../src/extension/completion/earlyText";
import type {PostprocessContext} from "../../../src/extension/completion/postprocess/types";

/** A cursor at the end of `  if (ready) {`, with the function's closing lines below. */
const AFTER_OPENER: PostprocessContext = {linePrefix: "  if (ready) {", lineSuffix: "", suffix: "\n  return done;\n}\n", indentation: "  ", eol: "\n", lines: "block"};
/** A cursor after `  const pattern = ` on a line of its own: one line. */
const IN_LINE: PostprocessContext = {linePrefix: "  const pattern = ", lineSuffix: "", suffix: "\n  return pattern;\n}\n", indentation: "  ", eol: "\n", lines: "line"};

/** A clock the test moves. */
function clock(): {now: () => number; advance: (ms: number) => void} {
  let t = 1_000;
  return {now: () => t, advance: ms => t += ms};
}

/** Whether the promise has settled after the reports so far (they resolve it synchronously). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), 20))]);
}

const LINES_ONLY: EarlyTextOptions = {maxLines: 8, firstLines: true};

describe("EarlyText", () => {
  it("shows a block's first report post-processing leaves something of, once, as written and as shown", async () => {
    const early = EarlyText.for(AFTER_OPENER, LINES_ONLY)!;
    early.onText("\n    sta");
    early.onText("\n    start();   \n");
    early.onText("\n    start();   \n    wait();\n");
    assert.deepEqual(await early.shown, {raw: "\n    start();   ", shown: "\n    start();", partial: false});
  });

  it("never resolves while every line is blank", async () => {
    const early = EarlyText.for(AFTER_OPENER, LINES_ONLY)!;
    early.onText("\n");
    early.onText("\n   \n");
    assert.equal(await settled(early.shown), false);
  });

  it("cuts a report as the completion would be cut: the block's own closer repeated below goes", async () => {
    const early = EarlyText.for({...AFTER_OPENER, suffix: "\n  }\n}\n"}, LINES_ONLY)!;
    early.onText("\n    start();\n  }\n");
    assert.equal((await early.shown).shown, "\n    start();");
  });

  it("shows a slow line's whole words once the time is up, not before, and never a word the next token may go on", async () => {
    const time = clock();
    const early = EarlyText.for(IN_LINE, {maxLines: 8, firstLines: true, partialAfterMs: 500, now: time.now})!;
    early.onText("/^(\\d+)-(\\d");
    time.advance(499);
    early.onText("/^(\\d+)-(\\d+)-(\\d+)T");
    assert.equal(await settled(early.shown), false, "not before partialAfterMs");
    time.advance(1);
    early.onText("/^(\\d+)-(\\d+)-(\\d+)T(\\d+):(\\d");
    assert.deepEqual(await early.shown, {raw: "/^(\\d+)-(\\d+)-(\\d+)T(\\d+):(\\", shown: "/^(\\d+)-(\\d+)-(\\d+)T(\\d+):(\\", partial: true});
  });

  it("waits for a word's end: a report that is one word so far shows nothing", async () => {
    const time = clock();
    const early = EarlyText.for(IN_LINE, {maxLines: 8, firstLines: true, partialAfterMs: 0, now: time.now})!;
    early.onText("createPatt");
    assert.equal(await settled(early.shown), false);
    early.onText("createPattern(flags");
    assert.equal((await early.shown).shown, "createPattern(");
  });

  it("in a block, shows the first line's words when the first line is slow, and nothing of a block when firstLines is off", async () => {
    const time = clock();
    const early = EarlyText.for(AFTER_OPENER, {maxLines: 8, firstLines: true, partialAfterMs: 100, now: time.now})!;
    time.advance(150);
    early.onText("\n    const started = performance");
    assert.deepEqual(await early.shown, {raw: "\n    const started =", shown: "\n    const started =", partial: true});
    assert.equal(EarlyText.for(AFTER_OPENER, {maxLines: 8, firstLines: false, partialAfterMs: 100}), undefined);
  });

  it("is not made for one line without a time to show it by", () => {
    assert.equal(EarlyText.for(IN_LINE, LINES_ONLY), undefined);
  });

  it("shows no words that post-processing would change (the text the line after the cursor already has)", async () => {
    const time = clock();
    const context = {...IN_LINE, linePrefix: "  const total = sum(", lineSuffix: ");", suffix: ");\n  return total;\n}\n"};
    const early = EarlyText.for(context, {maxLines: 8, firstLines: true, partialAfterMs: 0, now: time.now})!;
    early.onText("a, b);");
    assert.equal(await settled(early.shown), false, "the model's `);` is the line's own: post-processing shows `a, b`");
    early.onText("a, b); // the sum");
    assert.equal((await early.shown).shown, "a, b); // the", "kept whole, as it would be once done");
  });
});

describe("wholeWords", () => {
  it("cuts after the last character no word holds, leaving out blanks before the cut", () => {
    assert.equal(wholeWords("return value.fil"), "return value.");
    assert.equal(wholeWords("return value"), "return");
    assert.equal(wholeWords("items.map(item => "), "items.map(item =>");
    assert.equal(wholeWords("const $el_2"), "const");
    assert.equal(wholeWords("naïveCount"), "");
    assert.equal(wholeWords("f(x)"), "f(x)");
  });
});
