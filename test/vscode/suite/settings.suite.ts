// Settings take effect without a reload; only model settings reload the models.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import {invoke, openDocument, readyWithTestModels, setSetting, waitFor} from "./helpers";

describe("settings", function () {
  this.timeout(120_000);

  it("switches the policy without reloading the models", async () => {
    const draftstop = await readyWithTestModels();
    const pid = draftstop.session.processId;
    const loadedBefore = draftstop.session.snapshot.info;
    await setSetting("policy", "static");
    await setSetting("static.k", 3);
    await waitFor("the static policy", () => draftstop.session.snapshot.policy?.name === "static" ? true : undefined);
    assert.equal(draftstop.session.snapshot.policy?.state.draftLength, 3);
    assert.equal(draftstop.session.processId, pid);
    assert.equal(draftstop.session.snapshot.info, loadedBefore, "the same loaded models");
    await setSetting("policy", "adaedl");
    await waitFor("AdaEDL again", () => draftstop.session.snapshot.policy?.name === "adaedl" ? true : undefined);
  });

  it("applies sampling and length settings to the next completion", async () => {
    const draftstop = await readyWithTestModels();
    await setSetting("maxTokens", 3);
    try {
      const editor = await openDocument("settings.ts", "const message = \"hello\";\nconsole.log(");
      let summary: {tokenCount: number} | undefined;
      const listener = (s: {tokenCount: number}) => (summary = s);
      draftstop.session.on("generation", listener);
      await draftstop.provider.provideInlineCompletionItems(editor.document, new vscode.Position(1, 12), invoke(), new vscode.CancellationTokenSource().token);
      draftstop.session.off("generation", listener);
      assert.ok(summary && summary.tokenCount <= 3, `at most 3 tokens, got ${summary?.tokenCount}`);
    } finally {
      await setSetting("maxTokens", undefined);
    }
  });

  it("reloads the models when a model setting changes", async () => {
    const draftstop = await readyWithTestModels();
    await setSetting("contextSize", 1024);
    try {
      await waitFor("a 1024-token context", () => draftstop.session.snapshot.info?.contextSize === 1024 && draftstop.session.ready ? true : undefined);
    } finally {
      await setSetting("contextSize", undefined);
    }
    await waitFor("the default context again", () => draftstop.session.snapshot.info?.contextSize === 2048 && draftstop.session.ready ? true : undefined);
  });

  it("refuses a bad value naming the setting and keeps the last valid one", async () => {
    const draftstop = await readyWithTestModels();
    const before = draftstop.settings.values.temperature;
    const problems: string[] = [];
    const subscription = draftstop.settings.onDidReject(p => problems.push(...p.map(x => x.message)));
    try {
      await setSetting("temperature", -3);
      await waitFor("the refusal", () => problems.length > 0 ? true : undefined);
      assert.match(problems[0]!, /^draftstop\.temperature: -3 is not valid/);
      assert.equal(draftstop.settings.values.temperature, before);
    } finally {
      subscription.dispose();
      await setSetting("temperature", undefined);
    }
  });
});
