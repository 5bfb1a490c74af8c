// Real completions that went wrong, captured from the tiny pair that ships in the repository by
// captured/capture.ts (which says how to capture them again), each with the text a person wrote
// for what the rules must turn it into. The whole pipeline runs on each, with the settings'
// default maxLines, and the context derived from the case's document as in the provider.
import assert from "node:assert/strict";
import {postprocessCompletion} from "../../../src/extension/completion/postprocess";
import {defaultSettings} from "../../../src/extension/settings/schema";
import {CAPTURED_DIR, caseFilesIn, loadCases} from "./caseFile";

describe("captured completions (the tiny pair's real output)", () => {
  const files = caseFilesIn(CAPTURED_DIR);

  it("holds at least 8 cases, one a file", () => {
    assert.ok(files.length >= 8, `${files.length} captured cases`);
    for (const file of files) assert.equal(loadCases(file).length, 1, file);
  });

  for (const file of files)
    for (const c of loadCases(file))
      it(c.name, () => {
        assert.ok(c.options.source && c.options.model && c.options.note, `${c.where}: a captured case says where it was cut, by which model, and why it is wrong (source, model, note)`);
        assert.ok(!c.expected.startsWith("TODO"), `${c.where}: write by hand what the rules must turn the completion into`);
        assert.notEqual(c.expected, c.completion, `${c.where}: a captured case is a completion that went wrong`);
        const shown = postprocessCompletion(c.completion, c.context, {maxLines: c.maxLines ?? defaultSettings().maxLines});
        assert.equal(shown ?? "", c.expected, c.where);
      });
});
