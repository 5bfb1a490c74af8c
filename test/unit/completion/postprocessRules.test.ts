import assert from "node:assert/strict";
import {
  POSTPROCESS_DEFAULTS,
  PostprocessRule,
  dropIncompleteCharacter,
  leadingWhitespace,
  normalizeLineEndings,
  stopRules,
  suffixOverlap,
  trimTrailingWhitespace
} from "../../../src/extension/completion/postprocess";
import {CASES_DIR, caseFilesIn, loadCases} from "./caseFile";

// Each rule alone against its own cases in cases/<rule>.txt (format: caseFile.ts).
const tables: Array<[string, (maxLines: number | undefined) => PostprocessRule]> = [
  ["dropIncompleteCharacter", () => dropIncompleteCharacter],
  ["normalizeLineEndings", () => normalizeLineEndings],
  ["stopRules", limit => stopRules(limit ?? POSTPROCESS_DEFAULTS.maxLines)],
  ["suffixOverlap", () => suffixOverlap],
  ["leadingWhitespace", () => leadingWhitespace],
  ["trimTrailingWhitespace", () => trimTrailingWhitespace]
];

for (const [rule, make] of tables)
  describe(`postprocess rule ${rule}`, () => {
    for (const c of loadCases(`${CASES_DIR}/${rule}.txt`))
      it(c.name, () => {
        assert.equal(make(c.maxLines)(c.completion, c.context), c.expected, c.where);
      });
  });

describe("postprocess rule cases", () => {
  it("every case file belongs to a rule or the pipeline", () => {
    assert.deepEqual(caseFilesIn(CASES_DIR), [...tables.map(([rule]) => rule), "pipeline"].sort().map(name => `${CASES_DIR}/${name}.txt`));
  });
});

describe("postprocess rule stopRules (limits)", () => {
  it("rejects a limit below 1 or not an integer", () => {
    assert.throws(() => stopRules(0), RangeError);
    assert.throws(() => stopRules(2.5), RangeError);
  });
});
