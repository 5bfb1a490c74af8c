import assert from "node:assert/strict";
import {CompletionCache, CompletionKey} from "../../../src/extension/completion/completionCache";

const key = (prefix: string, suffix = "\n}", uri = "file:///a.ts", languageId = "typescript"): CompletionKey => ({uri, languageId, prefix, suffix});

describe("CompletionCache", () => {
  it("returns what was set for the same document, prefix and suffix only", () => {
    const cache = new CompletionCache();
    cache.set(key("const x = "), "compute();");
    assert.equal(cache.get(key("const x = ")), "compute();");
    assert.equal(cache.get(key("const x =")), undefined);
    assert.equal(cache.get(key("const x = ", "\n")), undefined);
    assert.equal(cache.get(key("const x = ", "\n}", "file:///b.ts")), undefined);
    assert.equal(cache.get(key("const x = ", "\n}", "file:///a.ts", "javascript")), undefined);
  });

  it("does not confuse keys whose parts only concatenate alike", () => {
    const cache = new CompletionCache();
    cache.set(key("ab", "c"), "one");
    cache.set(key("a", "bc"), "two");
    assert.equal(cache.get(key("ab", "c")), "one");
    assert.equal(cache.get(key("a", "bc")), "two");
  });

  it("hashes long keys and still tells them apart", () => {
    const cache = new CompletionCache({hashKeysLongerThan: 16});
    const long = "x".repeat(10_000);
    cache.set(key(long + "a"), "A");
    cache.set(key(long + "b"), "B");
    assert.equal(cache.get(key(long + "a")), "A");
    assert.equal(cache.get(key(long + "b")), "B");
    assert.equal(cache.get(key(long)), undefined);
  });

  it("keeps at most maxEntries, evicting the least recently used", () => {
    const cache = new CompletionCache({maxEntries: 3});
    for (const p of ["a", "b", "c"]) cache.set(key(p), p.toUpperCase());
    cache.get(key("a"));
    cache.set(key("d"), "D");
    assert.equal(cache.size, 3);
    assert.equal(cache.get(key("b")), undefined);
    assert.equal(cache.get(key("a")), "A");
    assert.equal(new CompletionCache().options.maxEntries, 200);
    assert.throws(() => new CompletionCache({maxEntries: 0}), RangeError);
  });

  describe("lookupTypingThrough", () => {
    const shownAt = "function f() {\n  return ";
    const cache = new CompletionCache({hashKeysLongerThan: 8});
    cache.set(key(shownAt), "a + b;");

    it("returns the rest of the completion after each typed character", () => {
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a")), " + b;");
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a +")), " b;");
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a + b")), ";");
    });

    it("returns undefined once the typed text diverges", () => {
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a -")), undefined);
      assert.equal(cache.lookupTypingThrough(key(shownAt + "x")), undefined);
    });

    it("returns undefined when the whole completion was typed", () => {
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a + b;")), undefined);
    });

    it("leaves exact hits (nothing typed) to get", () => {
      assert.equal(cache.lookupTypingThrough(key(shownAt)), undefined);
    });

    it("requires the same text before the typed part", () => {
      assert.equal(cache.lookupTypingThrough(key("function g() {\n  return a")), undefined);
    });

    it("requires the same suffix and document", () => {
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a", "\n}\n")), undefined);
      assert.equal(cache.lookupTypingThrough(key(shownAt + "a", "\n}", "file:///b.ts")), undefined);
    });

    it("accepts brackets the editor auto-closed after the cursor", () => {
      const c = new CompletionCache();
      c.set(key("print"), "(len(xs))");
      assert.equal(c.lookupTypingThrough(key("print(", ")\n}")), "len(xs))");
      assert.equal(c.lookupTypingThrough(key("print(", "x)\n}")), undefined);
    });

    it("prefers the entry closest to the cursor", () => {
      const c = new CompletionCache();
      c.set(key("x = "), "foo(bar)");
      c.set(key("x = foo("), "baz)");
      assert.equal(c.lookupTypingThrough(key("x = foo(b")), "az)");
      assert.equal(c.lookupTypingThrough(key("x = fo")), "o(bar)");
    });

    it("keeps an entry being typed through from eviction", () => {
      const c = new CompletionCache({maxEntries: 2});
      c.set(key("a"), "bcdef");
      c.set(key("x"), "1");
      assert.equal(c.lookupTypingThrough(key("ab")), "cdef");
      c.set(key("y"), "2");
      assert.equal(c.get(key("x")), undefined);
      assert.equal(c.lookupTypingThrough(key("abc")), "def");
    });
  });
});
