import assert from "node:assert/strict";
import {POSTPROCESS_DEFAULTS, postprocessCompletion, postprocessRules} from "../../../src/completion/postprocess";
import {loadCases} from "./caseTable";

describe("postprocessCompletion", () => {
  for (const c of loadCases("pipeline.json"))
    it(c.name, () => {
      const options = c.maxLines === undefined ? {} : {maxLines: c.maxLines};
      assert.equal(postprocessCompletion(c.completion, c.context, options), c.expected ?? undefined);
    });

  it("uses the options' tabSize when the context has none", () => {
    const context = {linePrefix: "\t\t", lineSuffix: "", suffix: "", indentation: "\t\t", eol: "\n" as const};
    // "    }" is 4 columns: inside the 2-tab block only when a tab is 2 columns wide.
    assert.equal(postprocessCompletion("a();\n    }", context, {tabSize: 2}), "a();\n    }");
    assert.equal(postprocessCompletion("a();\n    }", context, {tabSize: 8}), "a();");
  });

  it("defaults keep 8 lines", () => {
    assert.equal(POSTPROCESS_DEFAULTS.maxLines, 8);
    assert.equal(postprocessRules().length, 7);
  });
});
