// The lookup drafter's index on hand-made token sequences: what it proposes, how it chooses among
// earlier occurrences, and that updating it piecemeal gives what indexing from scratch gives.
import assert from "node:assert/strict";
import {NgramIndex} from "../../src/engine/drafting/ngramIndex";
import type {Token} from "../../src/engine/nlc";

const tokens = (ids: readonly number[]) => ids as unknown as Token[];
const indexOf = (ids: number[], options = {}) => {
  const index = new NgramIndex(options);
  index.append(tokens(ids));
  return index;
};

describe("lookup index", () => {
  it("proposes what followed the longest earlier match of the context's end", () => {
    // "9 1 2" occurs after 5 and after 7; the context ends "7 1 2": the match after 7 is longer
    // (3 tokens) than the newer one after 5 (2 tokens), so its continuation 30 31 wins.
    const index = indexOf([7, 1, 2, 30, 31, 0, 5, 1, 2, 40, 41, 0, 7, 1, 2]);
    const proposal = index.propose(2)!;
    assert.deepEqual(proposal.tokens, [30, 31]);
    assert.equal(proposal.matchLength, 3);
  });

  it("matches up to maxMatch tokens and no further", () => {
    const repeated = [1, 2, 3, 4, 5, 6, 7, 8];
    const proposal = indexOf([...repeated, 99, 50, ...repeated], {maxMatch: 5}).propose(1)!;
    assert.equal(proposal.matchLength, 5);
    assert.deepEqual(proposal.tokens, [99]);
    assert.equal(indexOf([...repeated, 99, 50, ...repeated], {maxMatch: 12}).propose(1)!.matchLength, 8);
  });

  it("among equally long matches copies the most recent, or the continuation most of them share", () => {
    // "0 1 2" was followed by 20, then 20, then 30 (newest); the context ends "0 1 2". The oldest
    // "1 2" (followed by 10) matches only two tokens and does not take part.
    const ids = [1, 2, 10, 0, 1, 2, 20, 0, 1, 2, 20, 0, 1, 2, 30, 0, 1, 2];
    const recent = indexOf(ids).propose(1, "recent")!;
    assert.deepEqual(recent.tokens, [30]);
    assert.deepEqual({length: recent.matchLength, support: recent.support, occurrences: recent.occurrences}, {length: 3, support: 1, occurrences: 3});
    const vote = indexOf(ids).propose(1, "vote")!;
    assert.deepEqual(vote.tokens, [20]);
    assert.deepEqual({support: vote.support, occurrences: vote.occurrences}, {support: 2, occurrences: 3});
  });

  it("a vote tie goes to the newest occurrence", () => {
    assert.deepEqual(indexOf([1, 2, 10, 0, 1, 2, 20, 0, 1, 2]).propose(1, "vote")!.tokens, [20]);
  });

  it("proposes nothing when the last two tokens never occurred before", () => {
    assert.equal(indexOf([1, 2, 3, 4, 5, 6]).propose(4), undefined);
    assert.equal(indexOf([1]).propose(4), undefined);
    assert.equal(indexOf([]).propose(4), undefined);
    assert.equal(indexOf([1, 2, 1, 2]).propose(0), undefined);
  });

  it("stops the continuation at maxTokens and repeats a pattern that runs into the present", () => {
    assert.deepEqual(indexOf([5, 6, 7, 8, 9, 5, 6]).propose(2)!.tokens, [7, 8]);
    // "3 4 3 4": the match ends two tokens back, so the copy continues with itself: 3 4 3 4 3.
    assert.deepEqual(indexOf([3, 4, 3, 4]).propose(5)!.tokens, [3, 4, 3, 4, 3]);
  });

  it("updated piecemeal (append, truncate, sync) it proposes what a fresh index of the same tokens does", () => {
    let state = 17;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) % 6; // a small alphabet: many matches
    const index = new NgramIndex();
    const reference: Token[] = [];
    for (let step = 0; step < 400; step++) {
      const action = next();
      if (action < 4) {
        const added = tokens([next(), next()]);
        index.append(added);
        reference.push(...added);
      } else if (action === 4) {
        const keep = Math.max(0, reference.length - 1 - next());
        index.truncate(keep);
        reference.length = keep;
      } else {
        const edited = [...reference.slice(0, Math.max(0, reference.length - 5)), ...tokens([next(), next(), next()])];
        assert.equal(index.sync(edited), sharedPrefix(reference, edited));
        reference.splice(0, reference.length, ...edited);
      }
      assert.deepEqual(index.contents(), reference);
      for (const choice of ["recent", "vote"] as const)
        assert.deepEqual(index.propose(6, choice), indexOf(reference).propose(6, choice), `step ${step}, ${choice}`);
    }
  });

  it("matches a query that is not the index's end, skipping the query's own occurrence", () => {
    // A FIM prompt: PRE(90) prefix SUF(91) suffix MID(92); the middle continues the prefix "… 1 2".
    const index = indexOf([90, 1, 2, 3, 4, 0, 7, 1, 2, 91, 8, 9, 92]);
    const proposal = index.propose(3, "recent", tokens([0, 7, 1, 2]), 9)!;
    assert.deepEqual(proposal.tokens, [3, 4, 0], "the earlier 1 2 in the prefix, not the prefix's end (followed by SUF)");
    assert.equal(proposal.matchLength, 2);
    assert.equal(index.propose(3, "recent", tokens([8, 5]), 13), undefined, "8 5 never occurred");
    assert.equal(index.propose(3, "recent", tokens([9, 92]), 9), undefined, "the only 9 92 ends the index: nothing after it yet");
  });

  it("sync keeps the shared prefix: a prompt that grows at its end re-files only the new tokens", () => {
    const index = indexOf([1, 2, 3, 4, 5]);
    assert.equal(index.sync(tokens([1, 2, 3, 4, 5, 6, 7])), 5);
    assert.equal(index.sync(tokens([1, 2, 9])), 2);
    assert.deepEqual(index.contents(), [1, 2, 9]);
  });
});

function sharedPrefix(a: readonly Token[], b: readonly Token[]): number {
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared] === b[shared]) shared++;
  return shared;
}
