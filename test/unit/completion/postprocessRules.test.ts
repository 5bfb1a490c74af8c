import assert from "node:assert/strict";
import {
  POSTPROCESS_DEFAULTS,
  PostprocessRule,
  dropIncompleteCharacter,
  indentationScope,
  leadingWhitespace,
  maxLines,
  normalizeLineEndings,
  suffixOverlap,
  trimTrailingWhitespace
} from "../../../src/completion/postprocess";
import {loadCases} from "./caseTable";

// Each rule against its own table in cases/<rule>.json.
const tables: Array<[string, (maxLines: number | undefined) => PostprocessRule]> = [
  ["dropIncompleteCharacter", () => dropIncompleteCharacter],
  ["normalizeLineEndings", () => normalizeLineEndings],
  ["indentationScope", () => indentationScope],
  ["suffixOverlap", () => suffixOverlap],
  ["maxLines", limit => maxLines(limit ?? POSTPROCESS_DEFAULTS.maxLines)],
  ["leadingWhitespace", () => leadingWhitespace],
  ["trimTrailingWhitespace", () => trimTrailingWhitespace]
];

for (const [rule, make] of tables)
  describe(`postprocess rule ${rule}`, () => {
    for (const c of loadCases(`${rule}.json`))
      it(c.name, () => {
        assert.equal(make(c.maxLines)(c.completion, c.context), c.expected);
      });
  });

describe("postprocess rule maxLines (limits)", () => {
  it("rejects a limit below 1 or not an integer", () => {
    assert.throws(() => maxLines(0), RangeError);
    assert.throws(() => maxLines(2.5), RangeError);
  });
});
