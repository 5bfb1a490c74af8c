import assert from "node:assert/strict";
import {sharedExitReason} from "../../src/extension/session/sharedProcessClient";

describe("why the shared model process went away", () => {
  const started = (pid: number) => `2026-12-06T16:05:44.058Z serving version 0.1.0 on /run/draftstop-0/v0.1.0.sock (pid ${pid})\n`;

  it("says llama.cpp aborted when the latest process's log ends in its assertion", () => {
    const log = started(1) + "window w: connected\n/llama.cpp/src/llama-model-loader.cpp:1321: GGML_ASSERT(t_meta.ne[dim] >= 1) failed\n";
    assert.equal(sharedExitReason(log, "the connection closed"), "llama.cpp aborted (SIGABRT)");
  });

  it("does not blame an earlier process's abort on its successor", () => {
    const log = started(1) + "GGML_ASSERT(x) failed\n" + started(2) + "window w: connected\n";
    assert.equal(sharedExitReason(log, "the connection closed"), "the shared model process went away (the connection closed)");
  });
});
