// A keystroke storm in a real editor: 200 edits 20 ms apart.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type {ShownCompletion} from "../../../src/extension/completion/provider";
import {reportFigure} from "./figures";
import {openDocument, readyWithTestModels, waitFor} from "./helpers";

describe("keystroke storm", function () {
  this.timeout(180_000);

  it("200 edits 20 ms apart: one generation at a time, no stale suggestion, the last one matches the final text", async () => {
    const draftstop = await readyWithTestModels();
    const editor = await openDocument("storm.ts", "export function describe(values: number[]): string {\n  const parts = [];\n  \n}\n");
    editor.selection = new vscode.Selection(2, 2, 2, 2);
    const problemsBefore = draftstop.log.problems.length;
    const during: ShownCompletion[] = [];
    const showing = draftstop.provider.onDidShow(shown => during.push(shown));
    let peakConcurrentGenerations = 0;
    const countInFlight = (inFlight: number) => (peakConcurrentGenerations = Math.max(peakConcurrentGenerations, inFlight));
    draftstop.session.on("inFlight", countInFlight);
    const text = "for (const value of values) { parts.push(String(value * 2)); } return parts.join(', ');  ";
    let lastKeystroke = 0;
    for (let i = 0; i < 200; i++) {
      await vscode.commands.executeCommand("type", {text: text[i % text.length]});
      lastKeystroke = performance.now(); // a figure for the report
      // The storm's pace, not a verdict: a busy machine only spreads the keystrokes further apart.
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    const finalVersion = editor.document.version;
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    const last = await waitFor("a suggestion for the final text", () => {
      const shown = draftstop.provider.lastShown;
      return shown && shown.uri === editor.document.uri.toString() && shown.documentVersion === finalVersion ? shown : undefined;
    }, 60_000); // only fails a suggestion that never comes
    const latency = last.at - (Date.now() - (performance.now() - lastKeystroke)); // a figure for the report
    showing.dispose();
    draftstop.session.off("inFlight", countInFlight);
    const stale = during.filter(s => s.requestVersion !== s.documentVersion).length;
    const problems = draftstop.log.problems.slice(problemsBefore);

    reportFigure("storm: peak concurrent generations", peakConcurrentGenerations);
    reportFigure("storm: stale suggestions shown", stale);
    reportFigure("storm: last keystroke → suggestion (ms)", Math.round(latency));
    reportFigure("storm: generations / suggestions shown / superseded", `${draftstop.provider.counters.generations} / ${during.length} / ${draftstop.provider.gate.counters.superseded}`);

    assert.equal(editor.document.version, finalVersion);
    assert.equal(peakConcurrentGenerations, 1, "at most one generation in flight");
    assert.equal(draftstop.provider.counters.peakInFlight, 1);
    assert.equal(stale, 0, "no suggestion shown for an older text");
    assert.deepEqual(problems, [], "no warning or error in the log");
  });
});
