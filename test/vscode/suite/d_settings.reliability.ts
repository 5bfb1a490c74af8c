// Bad settings: a clear message naming the setting, and the last valid value stays in use.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {readyWithTestModels, setSetting, waitFor} from "./helpers";

describe("bad settings", function () {
  this.timeout(120_000);

  const cases: Array<[string, unknown, RegExp]> = [
    ["temperature", -1, /draftstop\.temperature: -1 is not valid/],
    ["maxTokens", 1e9, /draftstop\.maxTokens: 1000000000 is not valid/],
    ["topK", -5, /draftstop\.topK: -5 is not valid/],
    ["policy", "fastest", /draftstop\.policy: "fastest" is not valid; expected one of costAware, adaedl/],
    ["gpu", "tpu", /draftstop\.gpu: "tpu" is not valid; expected one of auto, cuda, metal, vulkan, off/],
    ["threads", -1, /draftstop\.threads: -1 is not valid/],
    ["adaedl.gamma", "high", /draftstop\.adaedl\.gamma: "high" is not valid/],
    ["adaedl.minDraft", 40, /draftstop\.adaedl\.minDraft: 40 is not valid.*Keeping the adaedl policy/]
  ];

  for (const [key, value, message] of cases)
    it(`${key} = ${JSON.stringify(value)} is refused with a message naming it`, async () => {
      const draftstop = await readyWithTestModels();
      const before = {values: {...draftstop.settings.values}, info: draftstop.session.snapshot.info, pid: draftstop.session.processId};
      const problemsBefore = draftstop.log.problems.length;
      // AdaEDL's parameters matter only while it is the policy (the default is cost-aware AdaEDL).
      if (key === "adaedl.minDraft") {
        await setSetting("policy", "adaedl");
        await setSetting("adaedl.maxDraft", 4);
      }
      try {
        await setSetting(key, value);
        const told = await waitFor("the warning", () => {
          const text = draftstop.log.problems.slice(problemsBefore).map(p => p.message).join("\n");
          return message.test(text) ? text : undefined;
        }, 10_000);
        assert.match(told, message);
        if (key !== "adaedl.minDraft")
          assert.deepEqual((draftstop.settings.values as Record<string, unknown>)[key], (before.values as Record<string, unknown>)[key], "the last valid value stays");
        assert.equal(draftstop.session.processId, before.pid);
        assert.equal(draftstop.session.snapshot.info, before.info, "no reload");
        assert.ok(draftstop.session.ready);
      } finally {
        await setSetting(key, undefined);
        if (key === "adaedl.minDraft") {
          await setSetting("adaedl.maxDraft", undefined);
          await setSetting("policy", undefined);
        }
      }
    });
});
