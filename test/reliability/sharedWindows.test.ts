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
import {draftstopLogTail, editorTestModels, openWindow, openWorkbench, waitFor, type Workbench} from "../e2e/workbench";
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

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? NaN) * 1024;
}

/** p50 or p95 of the latencies measured (never empty: every storm measures one a window). */
const pct = (values: readonly number[], p: number) => percentile(values, p) ?? NaN;

let edits = 0;

/**
 * Edits the file's first line (a comment), clears the completion's line, types the sample's
 * `const dy = ` key by key, and returns ms from the last key to the expected ghost text. The edit
 * makes every completion a new one: the same text typed again would be served from the window's
 * cache, and the storm would measure the cache, not the model process's turns.
 */
async function typeAndWait(wb: Workbench, delayMs: number): Promise<number> {
  await wb.page.keyboard.press("Escape");
  await wb.goTo(1, 1);
  await wb.page.keyboard.press("End");
  await wb.page.keyboard.type(` ${++edits}`);
  await wb.goTo(CURSOR.line, 1);
  await wb.page.keyboard.press("Shift+End");
  await wb.page.keyboard.type("  ");
  await wb.page.keyboard.type(typed, {delay: delayMs});
  const lastKey = Date.now();
  let ghost = "", askedAt = lastKey;
  await waitFor(`the ghost text "${expectedFirstLine}"`, async () => {
    ghost = (await wb.ghostText()).split("\n")[0]!;
    // A request that found the models restarting is not repeated by VS Code: ask again, at most every 15 s.
    if (!ghost && Date.now() - askedAt > 15_000) {
      await wb.triggerInlineSuggest();
      askedAt = Date.now();
    }
    return ghost === expectedFirstLine;
  }, 120_000).catch(async error => {
    throw new Error(`${(error as Error).message}; shown: ${JSON.stringify(ghost)}; the log ends:\n${await draftstopLogTail(wb.userDataDir)}`);
  });
  return Date.now() - lastKey;
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
    const alone: number[] = [];
    for (let storm = 0; storm < STORMS * 3; storm++) alone.push(await typeAndWait(wb1, 30));
    const single = modelProcesses();
    assert.equal(single.shared.length, 1, `one shared model process for one window (${JSON.stringify(single)})`);
    assert.deepEqual(single.own, [], "no window forked a process of its own");
    const pid = single.shared[0]!;
    const rssOne = rssBytes(pid);

    await openTwoMore(wb1, tmp, windows);
    // Every window types at once, key by key: each must be shown the completion of its own final text.
    const together: number[] = [];
    for (let storm = 0; storm < STORMS; storm++) together.push(...await Promise.all(windows.map(wb => typeAndWait(wb, 30))));
    const three = modelProcesses();
    assert.deepEqual(three, {shared: [pid], own: []}, "three windows, still the one process");
    const rssThree = rssBytes(pid);
    assert.deepEqual(listeningTcpOf(pid), [], "the shared process listens on no Internet socket");

    recordFigure("shared process: model processes for 3 windows", three.shared.length + three.own.length);
    recordFigure("shared process: resident memory, 1 window → 3 windows",
      `${(rssOne / 2 ** 20).toFixed(0)} → ${(rssThree / 2 ** 20).toFixed(0)} MB (${(rssThree / rssOne).toFixed(2)}×)`);
    recordFigure("shared process: keystroke → ghost text, 1 window p50 / p95",
      `${pct(alone, 50)} / ${pct(alone, 95)} ms (${alone.length} completions)`);
    recordFigure("shared process: keystroke → ghost text, 3 windows typing at once p50 / p95",
      `${pct(together, 50)} / ${pct(together, 95)} ms (${together.length} completions, every window served; ` +
      `p95 ${(pct(together, 95) / pct(alone, 95)).toFixed(2)}× one window's; all: ${[...together].sort((a, b) => a - b).join(", ")} ms, alone: ${[...alone].sort((a, b) => a - b).join(", ")} ms)`);

    // kill -9: every window notices, one successor starts, each window completes again with its models.
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await waitFor("a successor process", async () => modelProcesses().shared.some(p => p !== pid), 60_000);
    const ready: number[] = [];
    const back = await Promise.all(windows.map(async wb => {
      await modelsReady(wb, "the models back", 120_000);
      ready.push(Date.now() - killedAt);
      await typeAndWait(wb, 0);
      return Date.now() - killedAt;
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
      `${Math.max(...back)} ms (slowest of 3 windows, each a new completion: its prompt evaluated afresh in the new process)`);
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
    // As in the test above: ten completions alone, then two more windows and three storms in all three.
    for (let i = 0; i < 1 + STORMS * 3; i++) await typeAndWait(wb1, 30);
    const [pid] = processesUnder(root).shared;
    assert.ok(pid, "one shared process");
    const rssOne = rssBytes(pid);
    await openTwoMore(wb1, tmp, windows);
    for (let storm = 0; storm < STORMS; storm++) await Promise.all(windows.map(wb => typeAndWait(wb, 30)));
    assert.deepEqual(processesUnder(root), {shared: [pid], own: []}, "three windows, still the one process");
    const rssThree = rssBytes(pid);
    recordFigure("shared process, KV cache Q8_0: resident memory, 1 window → 3 windows",
      `${(rssOne / 2 ** 20).toFixed(0)} → ${(rssThree / 2 ** 20).toFixed(0)} MB (${(rssThree / rssOne).toFixed(2)}×)`);
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
