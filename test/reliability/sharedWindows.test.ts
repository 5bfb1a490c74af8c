// Three real code-server windows on the default pair share one model process (docs/sharing.md):
// one process, its memory beside what it held for one window, a keystroke storm in every window at
// once (each window shown its own completion), kill -9 of the process (every window completes
// again, one process afterwards), and no Internet socket in it. Timings and memory are figures
// (npm run test:reliability prints them), not verdicts.
import assert from "node:assert/strict";
import {existsSync, readdirSync, readFileSync} from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {SAMPLE_FILE, sampleLineEnd, SAMPLE_SUGGESTIONS} from "../../src/lab/cli/sample";
import {packageVsix} from "../../src/lab/cli/vsix";
import {percentile} from "../e2e/percentile";
import {draftstopLogTail, editorTestModels, GHOST_FIRST_LINE_SELECTOR, openWindow, openWorkbench, waitFor, type Workbench} from "../e2e/workbench";
import {recordFigure} from "./figures";
import {listeningTcpOf} from "./helpers/procSockets";

const {lineStart, typed, expectedFirstLine} = SAMPLE_SUGGESTIONS.distance;
/** The empty line under `const dx = …`, after its two spaces of indentation. */
const CURSOR = {line: sampleLineEnd(lineStart).line + 1, column: 3};
const STORMS = 3;

/**
 * The model processes this test's workbench started (their engineHost.js lies under `root`): the
 * shared ones (`engineHost.js --shared`) and the ones a window forked for itself.
 */
function processesUnder(root: string): {shared: number[]; own: number[]} {
  const found = {shared: [] as number[], own: [] as number[]};
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone since the listing
    }
    if (!argv.some(arg => arg.endsWith("engineHost.js") && arg.startsWith(root))) continue;
    (argv.includes("--shared") ? found.shared : found.own).push(Number(entry));
  }
  return found;
}

interface Resident {
  /** VmRSS, RssAnon (heaps, KV caches, compute buffers) and RssFile (mapped files: the weights), bytes. */
  rss: number;
  anon: number;
  file: number;
}

function residentOnce(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return {rss: kB("VmRSS"), anon: kB("RssAnon"), file: kB("RssFile")};
}

/**
 * The process's resident memory, the median of five readings half a second apart: one reading
 * moves by tens of MB with what the JavaScript heap holds at that moment.
 */
async function resident(pid: number): Promise<Resident> {
  const readings: Resident[] = [];
  for (let i = 0; i < 5; i++) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, 500));
    readings.push(residentOnce(pid));
  }
  const median = (key: keyof Resident) => readings.map(r => r[key]).sort((a, b) => a - b)[2]!;
  return {rss: median("rss"), anon: median("anon"), file: median("file")};
}

/** "403 → 557 MB (1.38×; anonymous 250 → 404 MB, mapped files 153 → 153 MB; medians of 5 readings)" */
function memoryFigure(one: Resident, three: Resident): string {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  return `${mb(one.rss)} → ${mb(three.rss)} MB (${(three.rss / one.rss).toFixed(2)}×; anonymous ${mb(one.anon)} → ${mb(three.anon)} MB, ` +
    `mapped files ${mb(one.file)} → ${mb(three.file)} MB; medians of 5 readings)`;
}

/** p50 or p95 of the latencies measured (never empty: every storm measures one a window). */
const pct = (values: readonly number[], p: number) => percentile(values, p) ?? NaN;
const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b).join(", ");

let edits = 0;

/**
 * Where typeAndWait makes the edit that keeps the window's completion cache from answering (the
 * same text typed again would be served from it, and the storm would measure the cache, not the
 * model process's turns):
 * - "nextLine": a comment at the end of the line under the cursor's, as a user's typing leaves the
 *   text before the cursor as it was: the model process still holds that part of the window's
 *   prompt (SmolLM2 has no FIM tokens: its prompt is the text before the cursor), and each
 *   keystroke evaluates only the lines it changed. What users meet, and what the storm's goal is
 *   read on.
 * - "firstLine": the file's first line (a comment), so every completion is a prompt evaluated
 *   from its first token (about 170 tokens, a second of one core on SmolLM2 Q4_1 here): the worst
 *   case, for a figure beside it.
 * - "none": no edit, so the window's completion cache answers and the model process does nothing:
 *   what the editor itself takes (three browsers and extension hosts typing at once on two cores
 *   are slower than one), for a figure beside the others.
 */
const CACHE_EDITS = ["nextLine", "firstLine", "none"] as const;
type CacheEdit = typeof CACHE_EDITS[number];

/**
 * Makes the edit `where` says, clears the completion's line and types the sample's `const dy = `
 * key by key. Returns ms from the last key to the expected ghost text, measured in the page (a
 * keydown listener and a MutationObserver: polling from here would round every figure to its
 * interval), and when, by this process's clock, the ghost text came.
 */
async function typeAndWait(wb: Workbench, delayMs: number, where: CacheEdit = "nextLine"): Promise<{ms: number; shownAt: number}> {
  await wb.page.keyboard.press("Escape");
  if (where !== "none") {
    await wb.goTo(where === "firstLine" ? 1 : CURSOR.line + 1, 1);
    await wb.page.keyboard.press("End");
    await wb.page.keyboard.type(where === "firstLine" ? ` ${++edits}` : ` // ${++edits}`);
  }
  await wb.goTo(CURSOR.line, 1);
  await wb.page.keyboard.press("Shift+End");
  await wb.page.keyboard.type("  ");
  await watchForGhost(wb, typed.length, expectedFirstLine);
  await wb.page.keyboard.type(typed, {delay: delayMs});
  let ghost = "", askedAt = Date.now(), seen: {sinceKey: number; ago: number} | undefined;
  await waitFor(`the ghost text "${expectedFirstLine}"`, async () => {
    seen = await wb.page.evaluate(() => (window as any).__ghostWatch.seen());
    if (seen) return true;
    ghost = (await wb.ghostText()).split("\n")[0]!;
    // A request that found the models restarting is not repeated by VS Code: ask again, at most every 15 s.
    if (!ghost && Date.now() - askedAt > 15_000) {
      await wb.triggerInlineSuggest();
      askedAt = Date.now();
    }
    return false;
  }, 120_000).catch(async error => {
    throw new Error(`${(error as Error).message}; shown: ${JSON.stringify(ghost)}; the log ends:\n${await draftstopLogTail(wb.userDataDir)}`);
  });
  const shownAt = Math.round(Date.now() - seen!.ago);
  await wb.page.evaluate(() => (window as any).__ghostWatch.dispose());
  return {ms: Math.round(seen!.sinceKey), shownAt};
}

/**
 * Watches `wb`'s page from now on: after `keys` more keydowns, the first change to the editor that
 * leaves `expected` as the ghost text's first line is noted (`__ghostWatch.seen()`).
 */
function watchForGhost(wb: Workbench, keys: number, expected: string): Promise<void> {
  return wb.page.evaluate(({keys, expected, selector}) => {
    const w = window as any;
    w.__ghostWatch?.dispose();
    let lastKey = 0, ghostAt: number | undefined;
    const firstLine = () => {
      const editor = document.querySelector(".monaco-editor.focused") ?? document.querySelector(".monaco-editor");
      return Array.from(editor?.querySelectorAll(selector) ?? [],
        span => span.textContent ?? "").join("").replace(/\u00a0/g, " ");
    };
    const onKey = () => {
      keys--;
      lastKey = performance.now();
    };
    const observer = new MutationObserver(() => {
      if (keys <= 0 && ghostAt === undefined && firstLine() === expected) ghostAt = performance.now();
    });
    window.addEventListener("keydown", onKey, true);
    observer.observe(document.querySelector(".part.editor") ?? document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    w.__ghostWatch = {
      seen: () => ghostAt === undefined ? undefined : {sinceKey: ghostAt - lastKey, ago: performance.now() - ghostAt},
      dispose: () => {
        observer.disconnect();
        window.removeEventListener("keydown", onKey, true);
      }
    };
  }, {keys, expected, selector: GHOST_FIRST_LINE_SELECTOR});
}

/** Waits until `wb`'s status bar says its models are loaded (`timeoutMs` only fails a hang). */
function modelsReady(wb: Workbench, what: string, timeoutMs = 180_000): Promise<void> {
  return waitFor(what, async () => /ready|tok\/s|target only/.test(await wb.statusBarText("draftstop.status")), timeoutMs);
}

/**
 * Opens the windows on `tmp`'s folders "two" and "three" beside `first`, each with the sample file
 * and one completion once its models are loaded, and adds them to `windows`.
 */
async function openTwoMore(first: Workbench, tmp: string, windows: Workbench[]): Promise<void> {
  for (const name of ["two", "three"]) {
    const wb = await openWindow(first, path.join(tmp, name));
    windows.push(wb);
    await wb.openFile("sample.ts");
    await modelsReady(wb, `window ${name}'s models`);
    await typeAndWait(wb, 30);
  }
}

/**
 * A workspace folder under `tmp` for each of `folders`, each holding the sample file, and a
 * code-server workbench with the packaged extension open on the first, on the editor tests' models.
 */
async function openSampleWorkbench(tmp: string, folders: readonly string[], settings: Record<string, unknown> = {}): Promise<Workbench> {
  for (const name of folders) {
    await fs.mkdir(path.join(tmp, name));
    await fs.writeFile(path.join(tmp, name, "sample.ts"), SAMPLE_FILE);
  }
  const models = await editorTestModels();
  const vsix = await packageVsix({out: path.join(tmp, "draftstop.vsix"), log: () => undefined});
  return openWorkbench({
    vsix: vsix.path, workspace: path.join(tmp, folders[0]!),
    settings: {"draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1, "editor.inlineSuggest.enabled": true, ...settings}
  });
}

describe("reliability: three windows share one model process", function () {
  this.timeout(20 * 60_000);
  let tmp: string;
  let first: Workbench | undefined;
  const windows: Workbench[] = [];

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-windows-"));
    first = await openSampleWorkbench(tmp, ["one", "two", "three"]);
    windows.push(first);
  });

  after(async () => {
    for (const wb of windows.slice(1)) await wb.close().catch(() => undefined);
    await first?.close();
    await fs.rm(tmp, {recursive: true, force: true});
  });

  it("serves three windows from one process, each its own completion through a keystroke storm in all of them, and comes back once after kill -9", async () => {
    const wb1 = first!;
    // The VSIX is installed beside the workbench's user data: its processes, not another run's.
    const root = path.dirname(wb1.userDataDir);
    const modelProcesses = () => processesUnder(root);
    await wb1.openFile("sample.ts");
    await modelsReady(wb1, "the models to load");
    // One unmeasured completion in each window first (its file's first prompt), then as many
    // completions alone as together: a p95 of 9 beside a p95 of 3 would read the larger sample's tail as contention.
    await typeAndWait(wb1, 30);
    const alone: Record<CacheEdit, number[]> = {nextLine: [], firstLine: [], none: []};
    for (const where of CACHE_EDITS)
      for (let storm = 0; storm < STORMS * 3; storm++) alone[where].push((await typeAndWait(wb1, 30, where)).ms);
    const single = modelProcesses();
    assert.equal(single.shared.length, 1, `one shared model process for one window (${JSON.stringify(single)})`);
    assert.deepEqual(single.own, [], "no window forked a process of its own");
    const pid = single.shared[0]!;
    const rssOne = await resident(pid);

    await openTwoMore(wb1, tmp, windows);
    // Every window types at once, key by key: each must be shown the completion of its own final text.
    const together: Record<CacheEdit, number[]> = {nextLine: [], firstLine: [], none: []};
    for (const where of CACHE_EDITS)
      for (let storm = 0; storm < STORMS; storm++) together[where].push(...(await Promise.all(windows.map(wb => typeAndWait(wb, 30, where)))).map(t => t.ms));
    const three = modelProcesses();
    assert.deepEqual(three, {shared: [pid], own: []}, "three windows, still the one process");
    const rssThree = await resident(pid);
    assert.deepEqual(listeningTcpOf(pid), [], "the shared process listens on no Internet socket");

    recordFigure("shared process: model processes for 3 windows", three.shared.length + three.own.length);
    recordFigure("shared process: resident memory, 1 window → 3 windows",
      memoryFigure(rssOne, rssThree));
    for (const where of CACHE_EDITS) {
      const what = {nextLine: "typing at the cursor", firstLine: "every completion a new prompt (the file's first line edited)",
        none: "served from the window's cache (the editor alone)"}[where];
      recordFigure(`shared process: keystroke → ghost text, ${what}, 1 window p50 / p95`,
        `${pct(alone[where], 50)} / ${pct(alone[where], 95)} ms (${alone[where].length} completions)`);
      recordFigure(`shared process: keystroke → ghost text, ${what}, 3 windows typing at once p50 / p95`,
        `${pct(together[where], 50)} / ${pct(together[where], 95)} ms (${together[where].length} completions, every window served; ` +
        `p95 ${(pct(together[where], 95) / pct(alone[where], 95)).toFixed(2)}× one window's; all: ${sorted(together[where])} ms, alone: ${sorted(alone[where])} ms)`);
    }

    // kill -9: every window notices, one successor starts, each window completes again with its models.
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await waitFor("a successor process", async () => modelProcesses().shared.some(p => p !== pid), 60_000);
    const ready: number[] = [];
    const steps: string[] = [];
    const back = await Promise.all(windows.map(async wb => {
      await modelsReady(wb, "the models back", 120_000);
      const readyAt = Date.now() - killedAt;
      ready.push(readyAt);
      const {ms, shownAt} = await typeAndWait(wb, 0);
      steps.push(`ready ${readyAt}, last key ${shownAt - ms - killedAt}, shown ${shownAt - killedAt}`);
      return shownAt - killedAt;
    }));
    const after = modelProcesses();
    assert.equal(after.shared.length, 1, `one process after the kill (${JSON.stringify(after)})`);
    assert.notEqual(after.shared[0], pid);
    if (after.own.length > 0) {
      // Every window's Draftstop log (each extension host writes its own), and the shared process's.
      const logsDir = path.join(wb1.userDataDir, "logs");
      const files = (await fs.readdir(logsDir, {recursive: true})).map(String).filter(f => /draftstop/i.test(path.basename(f)) && f.endsWith(".log"));
      const lines = (await Promise.all(files.map(f => fs.readFile(path.join(logsDir, f), "utf8"))))
        .flatMap(text => text.split("\n")).filter(line => /shared|stopped|restart|could not|error/i.test(line));
      const shared = readdirSync(root, {recursive: true}).map(String).filter(f => /v[^/]*\.log$/.test(f))
        .map(f => readFileSync(path.join(root, f), "utf8").slice(-3000));
      assert.fail(`a window forked a process of its own after the kill (${after.own}):\n${lines.join("\n")}\n--- the shared process's log:\n${shared.join("\n")}`);
    }
    recordFigure("shared process: kill -9 → models back in every window", `${Math.max(...ready)} ms (slowest of 3 windows)`);
    recordFigure("shared process: kill -9 → every window completing again",
      `${Math.max(...back)} ms (slowest of 3 windows, each a new completion: its prompt evaluated afresh in the new process; ms after the kill: ${steps.join("; ")})`);
    assert.ok(existsSync(`/proc/${after.shared[0]}`));
  });
});

describe("reliability: three windows on an 8-bit KV cache", function () {
  this.timeout(15 * 60_000);
  let tmp: string;
  const windows: Workbench[] = [];

  after(async () => {
    for (const wb of windows.slice(1)) await wb.close().catch(() => undefined);
    await windows[0]?.close();
    if (tmp) await fs.rm(tmp, {recursive: true, force: true});
  });

  it("serves three windows from one process on an 8-bit KV cache (draftstop.kvCacheType: Q8_0), and reports its memory", async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-q8-"));
    const wb1 = await openSampleWorkbench(tmp, ["one", "two", "three"], {"draftstop.kvCacheType": "Q8_0"});
    windows.push(wb1);
    const root = path.dirname(wb1.userDataDir);
    await wb1.openFile("sample.ts");
    await modelsReady(wb1, "the models to load");
    // As in the test above, typing at the cursor: ten completions alone, then two more windows and three storms in all three.
    for (let i = 0; i < 1 + STORMS * 3; i++) await typeAndWait(wb1, 30);
    const [pid] = processesUnder(root).shared;
    assert.ok(pid, "one shared process");
    const rssOne = await resident(pid);
    await openTwoMore(wb1, tmp, windows);
    for (let storm = 0; storm < STORMS; storm++) await Promise.all(windows.map(wb => typeAndWait(wb, 30)));
    assert.deepEqual(processesUnder(root), {shared: [pid], own: []}, "three windows, still the one process");
    const rssThree = await resident(pid);
    recordFigure("shared process, KV cache Q8_0: resident memory, 1 window → 3 windows",
      memoryFigure(rssOne, rssThree));
  });
});

describe("reliability: a window with sharing turned off", function () {
  this.timeout(10 * 60_000);
  let tmp: string;
  let wb: Workbench | undefined;

  after(async () => {
    await wb?.close();
    if (tmp) await fs.rm(tmp, {recursive: true, force: true});
  });

  it("forks a model process of its own (draftstop.shareModelProcess: false), and completes with it", async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-unshared-"));
    wb = await openSampleWorkbench(tmp, ["one"], {"draftstop.shareModelProcess": false});
    await wb.openFile("sample.ts");
    await modelsReady(wb!, "the models to load");
    await typeAndWait(wb, 30);
    const found = processesUnder(path.dirname(wb.userDataDir));
    assert.deepEqual(found.shared, [], "no shared process");
    assert.equal(found.own.length, 1, `one process of the window's own (${JSON.stringify(found)})`);
    assert.deepEqual(listeningTcpOf(found.own[0]!), [], "it listens on no Internet socket either");
  });
});
