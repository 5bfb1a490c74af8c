// The packaged extension in a real workbench: package a VSIX, install it into code-server with the
// embedded default pair (SmolLM2-135M and its draft), open npm start's sample file in headless
// Chromium, complete at the two places it suggests (one as it stands, one typed), see the ghost text
// it promises, accept it with Tab, read the live numbers in the status bar, open the statistics
// panel with its charts, complete in a file whose lines repeat, where lookup drafts are accepted, and,
// with extra context turned on, complete in a file with a chunk of another file in its prompt.
// Screenshots go to test-results/.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {SAMPLE_FILE, sampleLineEnd, SAMPLE_SUGGESTIONS} from "../../src/lab/cli/sample";
import {packageVsix} from "../../src/lab/cli/vsix";
import {draftstopLogTail, editorTestModels, openWorkbench, waitFor, type Workbench} from "./workbench";

/**
 * Functions alike but for their names and factors: after the last line's `(`, the parameter list and
 * the first half of the body are what followed the same tokens four times above, which lookup copies.
 */
const REPEATING_FILE = `// Length conversions, one function per unit.
export function metersToFeet(value: number): number {
  return value * 3.28084;
}

export function metersToInches(value: number): number {
  return value * 39.3701;
}

export function metersToYards(value: number): number {
  return value * 1.09361;
}

export function metersToMiles(value: number): number {
  return value * 0.000621371;
}

export function metersToCentimeters(`;
/** A second file whose function the next file calls: what extra context carries into that file's prompt. */
const GEOMETRY_FILE = `// Plane geometry helpers.
export function hypotenuse(a: number, b: number): number {
  return Math.sqrt(a * a + b * b);
}
`;
const ROUTE_FILE = `import {hypotenuse} from "./lib/geometry";

export const diagonal = hypotenuse(`;
const ROUTE_CURSOR = {line: 3, column: "export const diagonal = hypotenuse(".length + 1};

const REPEATING_CURSOR = {line: REPEATING_FILE.split("\n").length, column: REPEATING_FILE.split("\n").at(-1)!.length + 1};
/** Ten member accesses to type, one a line, each after objects TypeScript knows the members of. */
const MEMBER_ACCESSES = ["Math.", "JSON.", "console.", "items.", "names.", "point.", "order.", "text.", "Object.", "Number."];
const MEMBERS_FILE = `const items = [3, 1, 2];
const names = ["ada", "grace"];
const point = {x: 1, y: 2};
const order = {id: 7, total: 12.5, lines: [] as string[]};
const text = "Hello, world";

`;

/** An object with members: typing `.` after it opens TypeScript's suggest widget. */
const WIDGET_FILE = `const inventory = {
  items: [3, 1, 2],
  label: "stock",
};

`;

describe("e2e: packaged extension in code-server", function () {
  this.timeout(10 * 60_000); // a first run installs code-server (~2 minutes); a warm run takes ~1 minute
  let tmp: string;
  let workbench: Workbench | undefined;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-e2e-test-"));
    await fs.mkdir(path.join(tmp, "workspace"));
    await fs.writeFile(path.join(tmp, "workspace", "sample.ts"), SAMPLE_FILE);
    await fs.writeFile(path.join(tmp, "workspace", "units.ts"), REPEATING_FILE);
    await fs.mkdir(path.join(tmp, "workspace", "lib"));
    await fs.writeFile(path.join(tmp, "workspace", "lib", "geometry.ts"), GEOMETRY_FILE);
    await fs.writeFile(path.join(tmp, "workspace", "route.ts"), ROUTE_FILE);
    await fs.writeFile(path.join(tmp, "workspace", "widget.ts"), WIDGET_FILE);
    await fs.writeFile(path.join(tmp, "workspace", "members.ts"), MEMBERS_FILE);
    const models = await editorTestModels();
    const vsix = await packageVsix({out: path.join(tmp, "draftstop.vsix"), log: () => undefined});
    workbench = await openWorkbench({
      vsix: vsix.path,
      workspace: path.join(tmp, "workspace"),
      settings: {"draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1, "editor.inlineSuggest.enabled": true}
    });
  });
  after(async () => {
    await workbench?.close();
    await fs.rm(tmp, {recursive: true, force: true});
  });

  it("at the sample's first suggested place, shows the ghost text it promises; Tab accepts it; the status bar shows live numbers", async () => {
    const wb = workbench!;
    await wb.openFile("sample.ts");
    await waitFor("the models to load", async () => /ready|tok\/s|target only/.test(await wb.statusBarText("draftstop.status")), 180_000);
    const {lineStart, expectedFirstLine} = SAMPLE_SUGGESTIONS.count;
    const at = sampleLineEnd(lineStart);
    await wb.goTo(at.line, at.column);
    const ghost = await ghostFirstLine(wb, line => line === expectedFirstLine);
    await wb.screenshot("e2e-ghost-text");
    assert.equal(ghost, expectedFirstLine);
    const before = await editorText(wb);
    await wb.page.keyboard.press("Tab");
    await waitFor("the suggestion in the document", async () => (await editorText(wb)) !== before, 10_000);
    const after = await editorText(wb);
    assert.ok(after.includes(`${lineStart}${expectedFirstLine}`), `accepted text "${expectedFirstLine}" is on its line:\n${after}`);
    await waitFor("live numbers", async () => /tok\/s/.test(await wb.statusBarText("draftstop.status")), 30_000);
    const status = await wb.statusBarText("draftstop.status");
    assert.match(status, /(\d+\.\d|–)× · \d+ tok\/s · \d+ % · k̄ \d+\.\d|target only · \d+ tok\/s/);
    await wb.screenshot("e2e-accepted");
  });

  it("after typing a plain `const dy = ` under `const dx = b.x - a.x;`, shows `b.y - a.y;`", async () => {
    const wb = workbench!;
    const {lineStart, typed, expectedFirstLine} = SAMPLE_SUGGESTIONS.distance;
    const dx = sampleLineEnd(lineStart);
    await wb.page.keyboard.press("Escape");
    await wb.goTo(dx.line + 1, 3); // the empty line below, after its two spaces of indentation
    await wb.type(typed);
    const ghost = await ghostFirstLine(wb, line => line === expectedFirstLine);
    await wb.screenshot("e2e-ghost-text-dy");
    assert.equal(ghost, expectedFirstLine);
  });

  it("opens the statistics panel from the status bar, with its charts rendered", async () => {
    const wb = workbench!;
    await wb.page.locator(`.part.statusbar [id="draftstop.draftstop.draftstop.status"]`).click();
    // The status bar opens its menu; its first item is Show Stats.
    await wb.page.locator(".quick-input-widget .quick-input-list .monaco-list-row").first().waitFor({state: "visible", timeout: 30_000});
    await wb.page.keyboard.press("Enter");
    const frame = wb.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    await frame.locator("#live svg").first().waitFor({timeout: 60_000});
    const charts = await frame.locator("#live svg").count();
    assert.ok(charts >= 4, `${charts} live charts`);
    assert.match(await frame.locator("#summary").innerText(), /tokens \/ s/);
    // The session's completions are counted in whole numbers (it once printed "2.000000" after two).
    const ticks = await frame.locator(`#live [aria-label^="X-axis titled 'completion'"] .role-axis-label text`).allTextContents();
    assert.ok(ticks.length >= 2 && ticks.every(t => /^\d+$/.test(t)), `completion axis ticks: ${JSON.stringify(ticks)}`);
    await wb.screenshot("e2e-stats-panel");
  });

  it("in a file whose lines repeat, completes with accepted lookup drafts, counted in the status bar and the statistics panel", async () => {
    const wb = workbench!;
    // Back in the workbench from the panel, with the statistics emptied so that what is counted is this completion's.
    await wb.page.locator(`.tabs-container .tab[data-resource-name="sample.ts"]`).click();
    await wb.runCommand("Draftstop: Reset Stats");
    await waitFor("emptied statistics", async () => /ready/.test(await wb.statusBarText("draftstop.status")), 30_000);
    await wb.openFile("units.ts");
    await wb.goTo(REPEATING_CURSOR.line, REPEATING_CURSOR.column);
    const ghost = await ghostFirstLine(wb, line => /^value: number\): number \{$/.test(line));
    assert.match(ghost, /^value: number\): number \{$/, "the parameter list the lines above repeat");
    await waitFor("the lookup share in the status bar", async () => /lookup \d+ %/.test(await wb.statusBarText("draftstop.status")), 30_000)
      .catch(async error => {
        throw new Error(`${(error as Error).message} (status bar: ${JSON.stringify(await wb.statusBarText("draftstop.status"))}); the log ends:\n${await draftstopLogTail(wb.userDataDir)}`);
      });
    const status = await wb.statusBarText("draftstop.status");
    const share = Number(/lookup (\d+) %/.exec(status)![1]);
    assert.ok(share > 0, `lookup proposed some of the accepted drafts: ${status}`);

    await wb.page.locator(`.part.statusbar [id="draftstop.draftstop.draftstop.status"]`).click();
    // The status bar opens its menu; its first item is Show Stats.
    await wb.page.locator(".quick-input-widget .quick-input-list .monaco-list-row").first().waitFor({state: "visible", timeout: 30_000});
    await wb.page.keyboard.press("Enter");
    const frame = wb.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    let summary = "";
    await waitFor("lookup's accepted tokens in the panel", async () => {
      summary = await frame.locator("#summary").innerText().catch(() => "");
      return Number(/(\d+)\s+accepted from lookup/.exec(summary)?.[1] ?? 0) > 0;
    }, 30_000).catch(error => {
      throw new Error(`${(error as Error).message}; the panel says:\n${summary}`);
    });
    assert.match(summary, /drafts: the draft model or lookup, whichever promises more each round \(auto\)/);
    assert.match(summary, /Lookup drafted in \d+ of \d+ rounds/);
    await wb.screenshot("e2e-lookup-stats");
  });

  it("with extra context turned on in the workspace's settings, a completion's prompt carries a chunk of the file opened before, as the panel counts", async () => {
    const wb = workbench!;
    // The panel is still open from the test before; it says extra context is off (the default).
    const frame = wb.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
    const paragraph = frame.locator("#extra-context");
    await waitFor("the panel to say extra context is off", async () => /Extra context is off/.test(await paragraph.innerText().catch(() => "")), 30_000);
    // A workspace setting written on disk, as a user or a tool would; VS Code reads the file again.
    await fs.mkdir(path.join(tmp, "workspace", ".vscode"), {recursive: true});
    await fs.writeFile(path.join(tmp, "workspace", ".vscode", "settings.json"), JSON.stringify({"draftstop.extraContext.enable": true}));
    await waitFor("the panel to see extra context on", async () => /No completion has had extra context yet/.test(await paragraph.innerText().catch(() => "")), 30_000)
      .catch(async error => {
        throw new Error(`${(error as Error).message}; the panel says: ${await paragraph.innerText().catch(() => "?")}`);
      });
    await wb.openFile("lib/geometry.ts");
    await wb.openFile("route.ts");
    await wb.goTo(ROUTE_CURSOR.line, ROUTE_CURSOR.column);
    await ghostFirstLine(wb);
    await wb.runCommand("Draftstop: Show Stats");
    let text = "";
    await waitFor("the completion with extra context in the panel", async () => {
      text = await paragraph.innerText().catch(() => "");
      return /\d+ completions? carried chunks of other files, \d+ tokens on average/.test(text);
    }, 30_000).catch(error => {
      throw new Error(`${(error as Error).message}; the panel says: ${text}`);
    });
    assert.ok(Number(/(\d+) tokens on average/.exec(text)![1]) > 10, `a whole chunk: ${text}`);
    await paragraph.scrollIntoViewIfNeeded();
    await wb.screenshot("e2e-extra-context-stats");
  });

  it("with the suggest widget open after `.`, shows ghost text that continues the selected member; one Tab inserts the member and the rest, and both are saved", async () => {
    const wb = workbench!;
    await wb.openFile("widget.ts");
    await waitFor("the models to load", async () => /ready|tok\/s|target only/.test(await wb.statusBarText("draftstop.status")), 180_000);
    const last = WIDGET_FILE.split("\n").length;
    await wb.goTo(last, 1);
    await wb.type("const sorted = inventory.");
    const widget = wb.page.locator(".editor-widget.suggest-widget.visible");
    await widget.waitFor({timeout: 30_000});
    const selected = (await widget.locator(".monaco-list-row.focused .label-name").first().innerText()).trim();
    assert.ok(["items", "label"].includes(selected), `TypeScript's widget selects a member: ${selected}`);
    let ghost = "";
    // VS Code previews the selected member itself as ghost text; Draftstop's continues it.
    await waitFor("ghost text beside the widget that continues the selected member", async () => {
      ghost = await wb.ghostText();
      return ghost.startsWith(selected) && ghost.trim().length > selected.length && await widget.isVisible();
    }, 90_000).catch(async error => {
      const shot = await wb.screenshot("e2e-widget-no-ghost");
      const classes = await wb.page.evaluate(() => Array.from(document.querySelectorAll(".monaco-editor.focused .view-line [class*='ghost'], .monaco-editor.focused .view-line [class*='suggest']"), e => `${e.className}=${JSON.stringify(e.textContent)}`).join("; "));
      throw new Error(`${(error as Error).message} (read ${JSON.stringify(ghost)}; ${classes}) (screenshot ${shot}); the log's last lines:\n${(await draftstopLog(wb)).split("\n").slice(-12).join("\n")}`);
    });
    await wb.screenshot("e2e-widget-ghost");
    // Draftstop's key binding gives Tab to the ghost text while it continues the widget's item:
    // one press inserts the member and its continuation, and the widget closes.
    await wb.page.keyboard.press("Tab");
    const expected = `const sorted = inventory.${ghost.split("\n")[0]}`;
    await waitFor("the member and its continuation in the document", async () => (await editorText(wb)).includes(expected), 10_000)
      .catch(async error => {
        throw new Error(`${(error as Error).message}: ${JSON.stringify(expected)} in\n${await editorText(wb)}`);
      });
    await waitFor("the widget closed", async () => !(await widget.isVisible()), 10_000);
    await wb.page.keyboard.press("Control+S");
    await waitFor("the file saved", async () => (await fs.readFile(path.join(tmp, "workspace", "widget.ts"), "utf8")).includes(expected), 10_000);
  });

  it("at ten member accesses, Draftstop answers beside the suggest widget at each, and VS Code shows it wherever the selected member is a name", async () => {
    const wb = workbench!;
    await wb.openFile("members.ts");
    await waitFor("the models to load", async () => /ready|tok\/s|target only/.test(await wb.statusBarText("draftstop.status")), 180_000);
    const widget = wb.page.locator(".editor-widget.suggest-widget.visible");
    const results: string[] = [];
    let shown = 0, named = 0, namedShown = 0;
    const symbolLines: number[] = [];
    for (const [i, access] of MEMBER_ACCESSES.entries()) {
      await wb.goTo(MEMBERS_FILE.split("\n").length + i, 1);
      await wb.type(`const v${i} = ${access}`);
      let outcome = "no widget";
      if (await widget.waitFor({timeout: 15_000}).then(() => true, () => false)) {
        const selected = (await widget.locator(".monaco-list-row.focused .label-name").first().innerText()).trim();
        // TypeScript lists a symbol-keyed member (shown as "Symbol", inserted as `[Symbol]`) first for
        // some objects. It replaces the dot, and VS Code draws ghost text only after the cursor, so
        // Draftstop answers it at once with a reason instead of running the model.
        const isName = /^[A-Za-z_$][\w$]*$/.test(selected) && selected !== "Symbol";
        if (isName) named++;
        else symbolLines.push(MEMBERS_FILE.split("\n").length + i);
        outcome = `no ghost text beside ${selected}`;
        // Shown by Draftstop (its log says so for this line) and drawn beside the open widget.
        const line = MEMBERS_FILE.split("\n").length + i;
        const served = new RegExp(`completion members\\.ts:${line}:\\d+ \\(with the suggest widget\\) → (shown|cache hit)`);
        await waitFor("ghost text beside the widget", async () => {
          const ghost = await wb.ghostText();
          if (served.test(await draftstopLog(wb)) && ghost.trim().length > 0 && await widget.isVisible()) {
            outcome = `${selected} → ${JSON.stringify(ghost.split("\n")[0])}`;
            return true;
          }
          return false;
        }, isName ? 30_000 : 5_000).then(() => {
          shown++;
          if (isName) namedShown++;
        }, () => undefined);
      }
      results.push(`${access} ${outcome}`);
      await wb.page.keyboard.press("Escape");
      await wb.page.keyboard.press("Escape");
      await wb.page.keyboard.press("End");
      await wb.page.keyboard.press("Enter");
    }
    await wb.screenshot("e2e-widget-members");
    const log = (await draftstopLog(wb)).split("\n").filter(l => l.includes("members.ts"));
    const report = `ghost text beside the widget at ${shown} of 10 (${namedShown} of ${named} named members):\n${results.join("\n")}`;
    console.log(report);
    for (let i = 0; i < MEMBER_ACCESSES.length; i++) {
      const line = MEMBERS_FILE.split("\n").length + i;
      assert.ok(log.some(l => new RegExp(`members\\.ts:${line}:\\d+ \\(with the suggest widget\\) → (shown|cache hit|the widget's item rewrites typed text)`).test(l)),
        `${MEMBER_ACCESSES[i]} answered beside the widget\n${report}`);
    }
    assert.ok(named >= 4 && namedShown === named, report);
    for (const line of symbolLines)
      assert.ok(log.some(l => new RegExp(`members\\.ts:${line}:\\d+ \\(with the suggest widget\\) → the widget's item rewrites typed text \\("\\[Symbol`).test(l)),
        `line ${line}: the selected "Symbol" item is a symbol-keyed member over the dot, answered without the model\n${log.join("\n")}`);
  });
});

/** The first line of the ghost text once one shows (asking again with the trigger command while none does). */
/**
 * The ghost text's first line at the cursor, once it shows one `settled` accepts: ghost text shown
 * early (a block's first line, a slow line's first words) grows to the whole completion.
 */
async function ghostFirstLine(wb: Workbench, settled: (line: string) => boolean = () => true): Promise<string> {
  let ghost = "";
  let askedAt = 0;
  const firstLine = () => ghost.split("\n")[0]!.trim();
  await waitFor("ghost text", async () => {
    ghost = await wb.ghostText();
    // Asking again cancels the request in progress, and SmolLM2 needs a few seconds for one on
    // this CPU: ask at most every 15 s. A pace, not a verdict: waitFor's limit decides.
    if (!ghost.trim() && Date.now() - askedAt > 15_000) {
      await wb.triggerInlineSuggest();
      askedAt = Date.now(); // the pace above
    }
    return ghost.trim().length > 0 && settled(firstLine());
  }, 90_000).catch(async error => {
    const shot = await wb.screenshot("e2e-no-ghost-text");
    throw new Error(`${(error as Error).message} (last read ${JSON.stringify(ghost)}; status bar: ${JSON.stringify(await wb.statusBarText("draftstop.status"))}; ` +
      `screenshot ${shot}); the log ends:\n${await draftstopLogTail(wb.userDataDir)}`);
  });
  return firstLine();
}

/** What the Draftstop output channel wrote to its file under code-server's logs. */
async function draftstopLog(wb: Workbench): Promise<string> {
  const logs = path.join(wb.userDataDir, "logs");
  const files = (await fs.readdir(logs, {recursive: true}).catch(() => [] as string[])).filter(file => /Draftstop\.log$/.test(file));
  return (await Promise.all(files.map(file => fs.readFile(path.join(logs, file), "utf8")))).join("\n");
}

/** The focused editor's text as the workbench renders it (view lines in order). */
async function editorText(wb: Workbench): Promise<string> {
  return wb.page.evaluate(() => {
    const editor = document.querySelector(".monaco-editor.focused") ?? document.querySelector(".monaco-editor");
    const lines = Array.from(editor?.querySelectorAll(".view-lines .view-line") ?? []) as HTMLElement[];
    // Ghost text is drawn inside the same lines; leave it out, only the document's text counts.
    const textOf = (line: HTMLElement) => {
      const copy = line.cloneNode(true) as HTMLElement;
      copy.querySelectorAll("[class*='ghost-text']").forEach(ghost => ghost.remove());
      return (copy.textContent ?? "").replace(/\u00a0/g, " ");
    };
    return lines.sort((a, b) => (parseFloat(a.style.top) || 0) - (parseFloat(b.style.top) || 0)).map(textOf).join("\n");
  });
}
