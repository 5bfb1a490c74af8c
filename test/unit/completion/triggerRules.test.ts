import assert from "node:assert/strict";
import {automaticTriggerBlock, TriggerRules} from "../../../src/extension/completion/triggerRules";

const defaults: TriggerRules = {midWord: false, maxCharsRight: 8};

describe("automatic trigger rules", () => {
  it("does not trigger directly before an identifier character, in any script", () => {
    for (const suffix of ["ount", "_x", "$el", "9", "éclair", "名前"]) assert.equal(automaticTriggerBlock(suffix, defaults), "midWord", suffix);
  });

  it("triggers before punctuation, spaces and auto-closed brackets, and at the end of the line", () => {
    for (const suffix of ["", ")", "  ", ");", "]}", " x"]) assert.equal(automaticTriggerBlock(suffix, defaults), undefined, JSON.stringify(suffix));
  });

  it("triggers mid-word when the setting allows it", () => {
    assert.equal(automaticTriggerBlock("ount", {...defaults, midWord: true}), undefined);
  });

  it("does not trigger before more than maxCharsRight characters, trailing whitespace not counted", () => {
    assert.equal(automaticTriggerBlock(" + b + c", defaults), undefined, "8 characters");
    assert.equal(automaticTriggerBlock(" + b + cd", defaults), "textRightOfCursor", "9 characters");
    assert.equal(automaticTriggerBlock(" + b + c      ", defaults), undefined, "trailing spaces do not count");
    assert.equal(automaticTriggerBlock(")", {...defaults, maxCharsRight: 0}), "textRightOfCursor");
    assert.equal(automaticTriggerBlock("", {...defaults, maxCharsRight: 0}), undefined);
  });

  it("says mid-word first when both rules apply", () => {
    assert.equal(automaticTriggerBlock("value + other + more", defaults), "midWord");
    assert.equal(automaticTriggerBlock("value + other + more", {...defaults, midWord: true}), "textRightOfCursor");
  });
});
