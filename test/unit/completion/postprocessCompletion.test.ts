import assert from "node:assert/strict";
import {POSTPROCESS_DEFAULTS, postprocessCompletion, postprocessRules} from "../../../src/extension/completion/postprocess";
import {CASES_DIR, caseContext, loadCases} from "./caseFile";

describe("postprocessCompletion", () => {
  // An empty expected text in pipeline.txt means no ghost text: the pipeline returns undefined, never "".
  for (const c of loadCases(`${CASES_DIR}/pipeline.txt`))
    it(c.name, () => {
      const options = c.maxLines === undefined ? {} : {maxLines: c.maxLines};
      const result = postprocessCompletion(c.completion, c.context, options);
      assert.notEqual(result, "", `${c.where}: the pipeline returns undefined, not ""`);
      assert.equal(result ?? "", c.expected, c.where);
    });

  it("uses the options' tabSize when the context has none", () => {
    const {context} = caseContext({document: "function f() {\n\t\t█", eol: "\n", where: "tabSize"});
    // "    }" is 4 columns: inside the 2-tab block only when a tab is 2 columns wide.
    assert.equal(postprocessCompletion("a();\n    }", context, {tabSize: 2}), "a();\n    }");
    assert.equal(postprocessCompletion("a();\n    }", context, {tabSize: 8}), "a();");
  });

  it("defaults keep 8 lines", () => {
    assert.equal(POSTPROCESS_DEFAULTS.maxLines, 8);
    assert.equal(postprocessRules().length, 6);
  });
});
