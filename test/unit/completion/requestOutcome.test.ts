import assert from "node:assert/strict";
import {completedReason, outcomeLogLine, REASON_LABELS, REQUEST_REASONS, RequestOutcome} from "../../../src/extension/completion/requestOutcome";
import {RequestOutcomes} from "../../../src/extension/completion/requestOutcomes";
import {requestsTableHtml} from "../../../src/extension/ui/requestsTable";

const outcome = (fields: Partial<RequestOutcome>): RequestOutcome =>
  ({reason: "shown", where: "sample.ts:12:4", trigger: "automatic", elapsedMs: 41.4, at: 0, ...fields});

describe("request outcomes", () => {
  it("tells a completion shown apart from one the model ended at once and one post-processing emptied", () => {
    assert.equal(completedReason("item.count;", "item.count;", false), "shown");
    assert.equal(completedReason("item.count;", "item.count;", true), "cacheHit");
    assert.equal(completedReason("", undefined, false), "endedAtOnce");
    assert.equal(completedReason("", "", true), "endedAtOnce", "a cached empty completion is still the model ending at once");
    assert.equal(completedReason("\n  ", undefined, false), "emptyAfterPostprocessing");
    assert.equal(completedReason(")", "", true), "emptyAfterPostprocessing");
  });

  it("writes one compact log line per request, quoting what the model wrote when post-processing emptied it", () => {
    assert.equal(outcomeLogLine(outcome({reason: "emptyAfterPostprocessing", modelText: "\n  }", tokens: 3})),
      `completion sample.ts:12:4 → empty after post-processing (model wrote "\\n  }", 3 tokens, 41 ms)`);
    assert.equal(outcomeLogLine(outcome({reason: "shown", tokens: 1, trigger: "invoked"})), "completion sample.ts:12:4 (invoked) → shown (1 token, 41 ms)");
    assert.equal(outcomeLogLine(outcome({reason: "cacheHit", tokens: undefined, fromCache: true})), "completion sample.ts:12:4 → cache hit (41 ms)");
    assert.equal(outcomeLogLine(outcome({reason: "endedAtOnce", fromCache: true, modelText: ""})), "completion sample.ts:12:4 → the model ended at once (cached, 41 ms)");
    assert.equal(outcomeLogLine(outcome({reason: "error", detail: "the model process stopped"})), "completion sample.ts:12:4 → error: the model process stopped (41 ms)");
    assert.equal(outcomeLogLine(outcome({reason: "noModels", detail: "loading"})), "completion sample.ts:12:4 → no models (loading, 41 ms)");
    const long = outcomeLogLine(outcome({reason: "emptyAfterPostprocessing", modelText: "x".repeat(100)}));
    assert.match(long, new RegExp(`model wrote "${"x".repeat(40)}…"`), "a long model text is cut");
    assert.ok(!long.includes("x".repeat(41)));
  });

  it("has a label for every reason, and the ones the issue names", () => {
    for (const reason of REQUEST_REASONS) assert.ok(REASON_LABELS[reason].length > 0, reason);
    const labels = Object.values(REASON_LABELS);
    for (const named of ["cache hit", "debounced away", "cancelled by typing", "empty after post-processing", "the model ended at once", "stale",
      "error", "language disabled", "snoozed", "no models", "mid-word"]) assert.ok(labels.includes(named), named);
  });

  it("counts each reason, keeps the latest outcome and the latest that ran the model, and tells listeners", () => {
    const outcomes = new RequestOutcomes();
    const heard: string[] = [];
    const subscription = outcomes.onDidRecord(o => heard.push(o.reason));
    outcomes.record(outcome({reason: "shown", tokens: 12}));
    outcomes.record(outcome({reason: "debounced"}));
    outcomes.record(outcome({reason: "debounced"}));
    assert.equal(outcomes.count("debounced"), 2);
    assert.equal(outcomes.count("shown"), 1);
    assert.equal(outcomes.total, 3);
    assert.equal(outcomes.last?.reason, "debounced");
    assert.equal(outcomes.lastGenerated?.reason, "shown", "a debounced request ran no model");
    outcomes.record(outcome({reason: "stale", tokens: 4}));
    assert.equal(outcomes.lastGenerated?.reason, "stale");
    subscription.dispose();
    outcomes.record(outcome({reason: "snoozed"}));
    assert.deepEqual(heard, ["shown", "debounced", "debounced", "stale"]);
    const table = outcomes.table();
    assert.deepEqual(table.map(r => r.reason), [...REQUEST_REASONS], "every reason has its row, in a fixed order");
    assert.equal(table.find(r => r.reason === "snoozed")!.count, 1);
    outcomes.clear();
    assert.equal(outcomes.total, 0);
    assert.equal(outcomes.last, undefined);
  });

  it("shows the counts in the panel's table, zeros included, with the total", () => {
    const outcomes = new RequestOutcomes();
    assert.match(requestsTableHtml(outcomes.table()), /No completion requests yet/);
    outcomes.record(outcome({reason: "midWord"}));
    outcomes.record(outcome({reason: "midWord"}));
    outcomes.record(outcome({reason: "shown"}));
    const html = requestsTableHtml(outcomes.table());
    assert.match(html, /<tr data-reason="midWord"><td>mid-word<\/td><td class="count">2<\/td><\/tr>/);
    assert.match(html, /<tr data-reason="snoozed" class="zero"><td>snoozed<\/td><td class="count">0<\/td><\/tr>/);
    assert.match(html, /<tfoot><tr><td>all<\/td><td class="count">3<\/td>/);
  });
});
