import assert from "node:assert/strict";
import {FirstLines} from "../../../src/extension/completion/firstLines";
import type {PostprocessContext} from "../../../src/extension/completion/postprocess/types";

/** A cursor at the end of `  if (ready) {`, with the function's closing lines below. */
const AFTER_OPENER: PostprocessContext = {linePrefix: "  if (ready) {", lineSuffix: "", suffix: "\n  return done;\n}\n", indentation: "  ", eol: "\n", lines: "block"};

describe("FirstLines", () => {
  it("shows the first report post-processing leaves something of, once, as written and as shown", async () => {
    const first = new FirstLines(AFTER_OPENER, 8);
    first.onLinesDone("\n    ");
    first.onLinesDone("\n    start();   ");
    first.onLinesDone("\n    start();\n    wait();");
    assert.deepEqual(await first.shown, {raw: "\n    start();   ", shown: "\n    start();"});
  });

  it("never resolves while every report is blank", async () => {
    const first = new FirstLines(AFTER_OPENER, 8);
    first.onLinesDone("\n");
    first.onLinesDone("\n   \n");
    const settled = await Promise.race([first.shown.then(() => true), new Promise(resolve => setTimeout(() => resolve(false), 20))]);
    assert.equal(settled, false);
  });

  it("cuts a report as the completion would be cut: the block's own closer repeated below goes", async () => {
    const first = new FirstLines({...AFTER_OPENER, suffix: "\n  }\n}\n"}, 8);
    first.onLinesDone("\n    start();\n  }");
    const {shown} = await first.shown;
    assert.equal(shown, "\n    start();");
  });
});
