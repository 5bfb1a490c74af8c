// Bad models, end to end: a message naming the model and the reason, the previous models keep
// working, the extension host never exits.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import * as vscode from "vscode";
import {markovModelSpec, markovVocabulary} from "../../fixtures/gguf/markovModel";
import {arr, writeGguf} from "../../../src/lab/modelmaker/ggufWriter";
import {reportFigure} from "./figures";
import {completeAtSample, readyWithTestModels, setSetting, testModels} from "./helpers";

describe("bad models, end to end", function () {
  this.timeout(300_000);
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri;
  const write = async (name: string, bytes: Uint8Array) => {
    const uri = vscode.Uri.joinPath(folder(), name);
    await vscode.workspace.fs.writeFile(uri, bytes);
    return uri.fsPath;
  };

  const cases: Array<{what: string; setting: "targetModel" | "draftModel"; make: () => Promise<string>; reason: RegExp}> = [
    {what: "missing", setting: "targetModel", make: async () => vscode.Uri.joinPath(folder(), "nowhere.gguf").fsPath, reason: /no such file/},
    {what: "a directory", setting: "targetModel", make: async () => {
      const uri = vscode.Uri.joinPath(folder(), "a-folder.gguf");
      await vscode.workspace.fs.createDirectory(uri);
      return uri.fsPath;
    }, reason: /is a directory/},
    {what: "empty", setting: "targetModel", make: () => write("empty.gguf", new Uint8Array()), reason: /the file is empty/},
    {what: "not GGUF", setting: "targetModel", make: () => write("readme.gguf", new TextEncoder().encode("# not a model\n")), reason: /not a GGUF file/},
    {what: "truncated", setting: "targetModel", make: () => write("cut.gguf", readFileSync(testModels().target).subarray(0, 100_000)), reason: /truncated/},
    {what: "of another vocabulary", setting: "draftModel", make: async () => {
      const vocabulary = markovVocabulary();
      const path = vscode.Uri.joinPath(folder(), "other-vocab.gguf").fsPath;
      writeGguf(path, markovModelSpec({transitions: vocabulary.texts.map(() => new Map([[vocabulary.idOf("a"), 1]])),
        metadataOverrides: {"tokenizer.ggml.tokens": arr("string", vocabulary.texts.map((t, i) => (i === 300 ? "Ω" : t)))}}));
      return path;
    }, reason: /cannot draft for target model|token \d+ differs|vocabulary/},
    {what: "an unreachable hf: URI", setting: "targetModel", make: async () => "hf:draftstop-test/does-not-exist-GGUF/model.gguf",
      reason: /download of hf:draftstop-test\/does-not-exist-GGUF\/model\.gguf failed/}
  ];

  for (const c of cases)
    it(`a ${c.setting === "targetModel" ? "target" : "draft"} model that is ${c.what}`, async () => {
      const draftstop = await readyWithTestModels();
      const pid = draftstop.session.processId;
      const problemsBefore = draftstop.log.problems.length;
      const path = await c.make();
      const started = Date.now(); // a figure for the report
      await setSetting(c.setting, path);
      const told = draftstop.log.problems.slice(problemsBefore).map(p => p.message).join("\n");
      reportFigure(`bad model (${c.what}): reported after (ms)`, Date.now() - started); // a figure, never a verdict
      assert.ok(told.includes(path), `the message names ${path}: ${told}`);
      assert.match(told, c.reason);
      const info = draftstop.session.snapshot.info!;
      assert.equal(info.target.path, testModels().target, "the previous target is in use");
      if (c.setting === "targetModel") assert.equal(info.draft?.path, testModels().draft, "and the previous draft");
      assert.equal(draftstop.session.processId, pid, "the model process did not die");
      const items = await completeAtSample(draftstop, "still-works.ts");
      assert.ok(items?.length === 1, "completions go on");
      await setSetting(c.setting, c.setting === "targetModel" ? testModels().target : testModels().draft);
    });
});
