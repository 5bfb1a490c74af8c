// Latency through the real editor (`npm run latency`; too long for CI): the packaged extension in
// code-server and headless Chromium, typing at positions cut from held-out code (js-yaml, commander,
// semver). Measured in the page: keystroke → ghost text and Tab → next ghost text. From the
// extension's debug log: tokens per shown completion, the share post-processing throws away, and
// an A/B of decode ms per token (policy "off" against the default), interleaved position by
// position. Then the model process's CPU while nothing is asked of it.
import {execFileSync} from "node:child_process";
import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {parseArgs} from "node:util";
import type {Page} from "playwright-core";
import {heldOutRoots} from "../../src/lab/bench/heldOut";
import {SOURCE_EXTENSIONS, sourceFiles} from "../../src/benchmark/tasks";
import {namedPair} from "../../src/lab/cli/pairs";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {packageVsix} from "../../src/lab/cli/vsix";
import {PREFILL_AFTER_MS} from "../../src/extension/completion/prefetch";
import {Prng} from "../../src/engine/decoding/sampling";
import {findDraftstopLog, openWorkbench, waitFor, type Workbench} from "./workbench";
import {percentile} from "./percentile";

const KEY_DELAY_MS = 80; // a brisk typist
const GHOST_LIMIT_MS = 5000;
const TAB_LIMIT_MS = 3000;
const STATUS = "draftstop.status";
/** Completed once before the measured positions, so that none of them waits on start-up work. */
const WARM_UP = {file: "warmup.js", content: "function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n}\n", line: 5, column: 21};

/** `id`: the source and line it was cut from; typing starts at 1-based `line`:`column` ("\n": Enter on a blank line in a body). */
interface Position {id: string; file: string; content: string; line: number; column: number; typed: string}

/** One generation line of the debug log: `completion f.js:3:9: 12 tokens in 80 ms, …, model wrote "…"`. */
interface Generation {kind: string; where: string; tokens: number; pastStop: number; ms: number; modelText: string}
/** A ghost text seen in the page, `ms` after the keystroke; the provider's own time for the request, from its outcome line. */
interface Shown {
  ms: number; ghost: string; where?: string; providerMs?: number; generation?: Generation;
  /** The ghost text after reading, when it grew meanwhile (shown early: a block's first lines, a slow line's first words). */
  grownTo?: string;
}
interface PositionRecord {
  id: string; typed: string; policy: string; where: string;
  /** With --read prefill: ms from placing the cursor until the model was idle (the prompt evaluated), before typing. */
  readMs?: number;
  /** With --read prefill: ms from the ghost text until the model was idle (the next completion prefetched), before Tab. */
  tabReadMs?: number;
  /** In the A/B: 1 when this arm ran first at its position, 2 when second (the model's cache then holds the prompt). */
  order?: number;
  /** The log's outcome of the last request where typing ended ("shown", "the model ended at once", …), and of the first after Tab. */
  outcome?: string;
  tabOutcome?: string;
  /** The suggest widget was open when the wait for ghost text ended (it hides ghost text). */
  suggestWidget: boolean;
  /** Cores' worth of CPU that processes outside this run used while the position was measured (another test run). */
  otherCores: number;
  keystroke: Shown | null; tab: Shown | null; tabTried: boolean; generations: Generation[];
}

const {values: args} = parseArgs({options: {
  pair: {type: "string", default: "smollm2"}, count: {type: "string", default: "30"}, seed: {type: "string", default: "1"},
  json: {type: "string"}, ab: {type: "boolean", default: true}, "no-ab": {type: "boolean", default: false},
  "idle-seconds": {type: "string", default: "60"}, read: {type: "string", default: "prefill"}
}});

/**
 * What the user does between placing the cursor in a file just opened and typing. "prefill" (the
 * default): reads until the model process is idle, so that the prompt is evaluated in that pause
 * (prefill, issue 29) and the keystrokes pay for their own tokens, as they do while editing a file
 * already open. "none": types at once, so the first keystroke waits for the whole prompt.
 */
type Reading = "prefill" | "none";

/** What each measurement needs: the workbench, its folder, the extension's log file, the model process. */
interface Run {wb: Workbench; workspace: string; log: string; pid: number; reading: Reading}

async function main(): Promise<void> {
  const count = positiveInt("count", args.count!), seed = positiveInt("seed", args.seed!), idleSeconds = positiveInt("idle-seconds", args["idle-seconds"]!);
  if (args.pair !== "smollm2" && args.pair !== "tiny") throw new Error(`--pair ${args.pair}: choose smollm2 or tiny`);
  if (args.read !== "prefill" && args.read !== "none") throw new Error(`--read ${args.read}: choose prefill or none`);
  const reading = args.read as Reading;
  warnIfStaleBuild();
  const models = await namedPair({name: args.pair, padded: args.pair === "tiny"});
  const positions = cutPositions(count, seed);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-latency-"));
  const workspace = path.join(tmp, "workspace");
  await fs.mkdir(path.join(workspace, ".vscode"), {recursive: true});
  // Every file is there before the workbench opens: quick open does not find files written later.
  for (const position of [...positions, WARM_UP]) await fs.writeFile(path.join(workspace, position.file), position.content);
  let wb: Workbench | undefined;
  try {
    const vsix = await packageOnce(path.join(tmp, "draftstop.vsix"));
    console.log(`[latency] ${positions.length} positions, pair ${args.pair} (${path.basename(models.target)} + ${models.draft ? path.basename(models.draft) : "no draft"})`);
    wb = await openWorkbench({
      vsix: vsix.path, workspace,
      // There is no Draftstop log-level setting: the Output channel follows VS Code's log level, which
      // code-server takes from LOG_LEVEL. Debug adds the per-generation lines read below.
      env: {LOG_LEVEL: "debug"},
      settings: {
        "draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1,
        "editor.inlineSuggest.enabled": true,
        // The suggest widget hides ghost text; typed brackets and quotes must stay exactly what was typed.
        "editor.quickSuggestions": false, "editor.suggestOnTriggerCharacters": false, "editor.wordBasedSuggestions": "off",
        "editor.parameterHints.enabled": false, "editor.hover.enabled": false,
        "editor.autoClosingBrackets": "never", "editor.autoClosingQuotes": "never", "editor.autoSurround": "never"
      }
    });
    await waitFor("the models to load", async () => /ready|tok\/s|target only/.test(await wb!.statusBarText(STATUS)), 300_000);
    const run: Run = {wb, workspace, log: await findDraftstopLog(wb.userDataDir), pid: ourModelProcess(wb), reading};
    await warmUp(run);

    const records: PositionRecord[] = [];
    for (const [i, position] of positions.entries()) {
      records.push(await measure(run, position, "default", true));
      console.log(`[latency] ${i + 1}/${positions.length} ${describe(records.at(-1)!)}`);
    }
    const statusAfterMain = await wb.statusBarText(STATUS);

    // A/B: the same positions with the target alone and with the default, in turn (A B, then B A, …) so
    // that drift and the model's warm caches favour neither. A settings change also empties the completion cache.
    const ab: PositionRecord[] = [];
    if (args.ab && !args["no-ab"]) for (const [i, position] of positions.entries()) {
      for (const [turn, policy] of (i % 2 === 0 ? ["off", "default"] : ["default", "off"]).entries()) {
        await setPolicy(wb, workspace, policy);
        ab.push({...await measure(run, position, policy, false), order: turn + 1});
        console.log(`[latency] A/B ${i + 1}/${positions.length} ${policy}: ${describe(ab.at(-1)!)}`);
      }
    }
    if (ab.length) await setPolicy(wb, workspace, "default"); // the status bar's live numbers again, not "target only"
    const statusAtEnd = await wb.statusBarText(STATUS);
    const idle = await idleCpu(run, idleSeconds);
    const summary = summarize(records, ab, statusAfterMain, statusAtEnd, idle);
    printTable(summary, args.pair!);
    if (args.json) await fs.writeFile(args.json, JSON.stringify({pair: args.pair, seed, summary, positions: records, ab}, null, 2) + "\n");
  } finally {
    // The extension's log goes beside the JSON: what each request did, for figures that look wrong.
    const log = wb && await findDraftstopLog(wb.userDataDir).catch(() => undefined);
    if (args.json && log) await fs.copyFile(log, `${args.json}.draftstop.log`);
    await wb?.close();
    await fs.rm(tmp, {recursive: true, force: true});
  }
}

/**
 * Seeded positions in held-out code. Most are a line of code with its last 3–6 characters cut, to
 * be typed again; every fifth is the end of a statement inside a body whose next line is cut, where
 * Enter opens the blank line to complete. The file is ~120 lines around the place. Lines are drawn
 * uniformly over the whole corpus, not file by file: semver's many five-line files would otherwise
 * make a quarter of the positions its `'use strict'` first line.
 */
function cutPositions(count: number, seed: number): Position[] {
  const files = sourceFiles(heldOutRoots(path.join(repoRoot(), "node_modules")), SOURCE_EXTENSIONS)
    .map(source => ({source, lines: readFileSync(source, "utf8").split("\n").map(line => line.trimEnd())}));
  const lineCount = sum(files.map(f => f.lines.length));
  const prng = new Prng(seed);
  const pick = (n: number) => Math.floor(prng.uniform() * n);
  const positions: Position[] = [];
  const taken = new Set<string>();
  for (let attempt = 0; positions.length < count && attempt < count * 200; attempt++) {
    let i = pick(lineCount);
    const {source, lines} = files.find(f => (i -= f.lines.length) < 0)!;
    i += lines.length;
    const text = lines[i]!, code = text.trim();
    const id = `${path.relative(path.join(repoRoot(), "node_modules"), source)}:${i + 1}`;
    if (taken.has(id) || code.length < 8 || /^(\/\/|\/\*|\*)/.test(code)) continue;
    const blank = positions.length % 5 === 4;
    const indented = (line = "") => /^\s+\S/.test(line) && !/^\s*(\/\/|\/\*|\*|})/.test(line);
    if (blank && !(/[;{]$/.test(code) && indented(text) && indented(lines[i + 1]))) continue;
    const typed = blank ? "\n" : code.slice(-(3 + pick(4)));
    const start = Math.max(0, i - 100);
    const kept = [...lines.slice(start, i), blank ? text : text.slice(0, -typed.length), ...lines.slice(i + (blank ? 2 : 1), i + 21)];
    taken.add(id);
    const n = String(positions.length + 1).padStart(2, "0");
    positions.push({id, file: `p${n}-${path.basename(source)}`, content: kept.join("\n") + "\n", line: i - start + 1,
      column: (blank ? text : text.slice(0, -typed.length)).length + 1, typed});
  }
  if (positions.length < count) throw new Error(`only ${positions.length} of ${count} positions could be cut from the held-out sources`);
  return positions;
}

/** Types at one position and measures in the page; then reads the position's lines of the debug log. */
async function measure({wb, workspace, log, pid, reading}: Run, position: Position, policy: string, tryTab: boolean): Promise<PositionRecord> {
  await fs.writeFile(path.join(workspace, position.file), position.content);
  const logStart = statSync(log).size, cpuStart = cpuSnapshot();
  await wb.openFile(position.file);
  await wb.goTo(position.line, position.column);
  let readMs: number | undefined;
  if (reading === "prefill") {
    // The prefill starts after 300 ms without a keystroke; the reading ends once the model is idle again.
    const readStart = performance.now();
    await sleep(PREFILL_AFTER_MS + 100);
    await modelIdle(wb, pid);
    readMs = performance.now() - readStart; // a figure of the benchmark
  }
  const enter = position.typed === "\n";
  let where = "";
  const {ms: keyMs, suggestWidget} = await timeToGhost(wb.page, position.typed.length, false, GHOST_LIMIT_MS, async () => {
    await wb.page.keyboard.type(position.typed, {delay: KEY_DELAY_MS});
    where = `${position.file}:${await cursorAt(wb, position.line + (enter ? 1 : 0), enter ? undefined : position.column + position.typed.length)}`;
  });
  const record: PositionRecord = {id: position.id, typed: position.typed, policy, where, readMs, keystroke: null, tab: null, tabTried: false, suggestWidget, otherCores: 0, generations: []};
  if (keyMs !== null) {
    record.keystroke = {ms: keyMs, ghost: await wb.ghostText()};
    if (tryTab) {
      record.tabTried = true;
      if (reading === "prefill") {
        // The user reads the suggestion before accepting it; meanwhile the one after it is prefetched.
        const readStart = performance.now();
        await modelIdle(wb, pid);
        record.tabReadMs = performance.now() - readStart;
        const read = await wb.ghostText();
        if (read !== record.keystroke.ghost) record.keystroke.grownTo = read;
      }
      // The accepted ghost text must go before the next one counts.
      const {ms: tabMs} = await timeToGhost(wb.page, 1, true, TAB_LIMIT_MS, () => wb.page.keyboard.press("Tab"));
      if (tabMs !== null) record.tab = {ms: tabMs, ghost: await wb.ghostText()};
    }
  }
  await wb.page.keyboard.press("Escape");
  await modelIdle(wb, pid); // a request past the limit, a prefetch: done before the next position
  record.otherCores = otherCores(cpuStart, cpuSnapshot());
  await wb.runCommand("View: Revert and Close Editor"); // typed text is dropped without a save prompt
  await sleep(300); // a request still waiting ends (cancelled) when its editor closes; the log is written asynchronously
  matchLog(record, logSince(log, logStart).split("\n"));
  return record;
}

/**
 * Ms from the last of `keys` keydowns that `act` makes to ghost text in the editor (null when none
 * came within `limitMs`), measured in the page: a keydown listener and a MutationObserver on the
 * editors note performance.now() of each keydown and of the first DOM change after the last one
 * that leaves ghost text shown (with `needGone`, only after a change that left none). Also whether
 * the suggest widget is open when the wait ends.
 */
async function timeToGhost(page: Page, keys: number, needGone: boolean, limitMs: number, act: () => Promise<void>): Promise<{ms: number | null; suggestWidget: boolean}> {
  await page.evaluate(({keys, needGone}) => {
    const w = window as any;
    w.__latency?.dispose();
    const state = {keyAt: [] as number[], ghostAt: undefined as number | undefined, gone: !needGone, dispose: () => {}};
    const ghostShown = () => {
      const editor = document.querySelector(".monaco-editor.focused") ?? document.querySelector(".monaco-editor");
      return Array.from(editor?.querySelectorAll(".ghost-text-decoration, .suggest-preview-text .ghost-text") ?? [])
        .some(span => (span.textContent ?? "").replace(/\u00a0/g, " ").trim().length > 0);
    };
    const check = () => {
      if (state.keyAt.length < keys || state.ghostAt !== undefined) return;
      if (!ghostShown()) state.gone = true;
      else if (state.gone) state.ghostAt = performance.now(); // a figure of the benchmark, which asserts nothing
    };
    const onKey = () => state.keyAt.push(performance.now()); // a figure of the benchmark
    window.addEventListener("keydown", onKey, true);
    const observer = new MutationObserver(check);
    observer.observe(document.querySelector(".part.editor") ?? document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    state.dispose = () => {
      observer.disconnect();
      window.removeEventListener("keydown", onKey, true);
    };
    w.__latency = state;
  }, {keys, needGone});
  await act();
  const handle = await page.waitForFunction((limit) => {
    const state = (window as any).__latency;
    const last = state.keyAt.at(-1);
    const suggestWidget = document.querySelector(".suggest-widget.visible") !== null;
    if (state.ghostAt !== undefined) return {ms: state.ghostAt - last, suggestWidget};
    // No ghost text within limitMs is counted as none (a figure), not a failure.
    return last !== undefined && performance.now() - last > limit ? {ms: null, suggestWidget} : false;
  }, limitMs, {polling: 50, timeout: limitMs + 30_000});
  const {ms, suggestWidget} = await handle.jsonValue() as {ms: number | null; suggestWidget: boolean};
  return {ms: ms !== null && ms <= limitMs ? ms : null, suggestWidget};
}

/**
 * One completion before the measured ones, asked for again every 15 s while none comes: in a first
 * run the first position's keystrokes reached no provider at all within 5 s of a fresh start.
 */
async function warmUp({wb, log, pid}: Run): Promise<void> {
  const logStart = statSync(log).size;
  await wb.openFile(WARM_UP.file);
  await wb.goTo(WARM_UP.line, WARM_UP.column);
  await wb.page.keyboard.press("Enter");
  // A pace for asking again, not a verdict: only waitFor's limit fails a warm-up that never comes.
  let askedAt = Date.now();
  await waitFor("a first completion (warm-up)", async () => {
    if (/\] completion warmup\.js:\S+(?: \(invoked\))? → (shown|the model ended|empty)/.test(logSince(log, logStart))) return true;
    if (Date.now() - askedAt > 15_000) { // the pace, not a verdict
      await wb.triggerInlineSuggest();
      askedAt = Date.now(); // the pace
    }
    return false;
  }, 120_000);
  await wb.page.keyboard.press("Escape");
  await modelIdle(wb, pid);
  await wb.runCommand("View: Revert and Close Editor");
}

/**
 * `line:column` of the cursor once the status bar's "Ln 12, Col 5" shows the line (and column) typing
 * ends at: the `where` of the request there. It lags the keystrokes; after Enter only the line is known.
 */
async function cursorAt(wb: Workbench, line: number, column?: number): Promise<string> {
  let text = "";
  await waitFor(`the cursor at ${line}:${column ?? "?"}`, async () => {
    text = await wb.page.locator(`.part.statusbar [id="status.editor.selection"]`).innerText();
    const match = /Ln (\d+), Col (\d+)/.exec(text);
    return Number(match?.[1]) === line && (column === undefined || Number(match?.[2]) === column);
  }, 5000).catch(error => { throw new Error(`${(error as Error).message}: the status bar says ${JSON.stringify(text)}`); });
  return /Ln (\d+), Col (\d+)/.exec(text)!.slice(1).join(":");
}

const GENERATION_LINE = /\] (completion|prefetch) (\S+): (\d+) tokens in (\d+) ms, .*?drafts accepted(?: \((\d+) past the stop\))?, .*?, model wrote ("(?:[^"\\]|\\.)*")/;
const OUTCOME_LINE = /\] completion (\S+)(?: \(invoked\))? → (.+?) \((.*?)(\d+) ms\)$/;
const SHOWING = ["shown", "cache hit", "prefetched"];

/**
 * Pairs each shown ghost text with its request in the position's log lines: the keystroke's is the
 * last outcome line where typing ended, the Tab's the first shown one after it elsewhere; each one's
 * generation is the last generation line logged at the same place before it, or, for a completion
 * shown early (a block's first lines, a slow line's first words) while the rest was written, the
 * first one logged there after it.
 */
function matchLog(record: PositionRecord, lines: string[]): void {
  const generations: Array<Generation & {index: number}> = [];
  const outcomes: Array<{where: string; reason: string; providerMs: number; index: number; early: boolean}> = [];
  lines.forEach((line, index) => {
    const g = GENERATION_LINE.exec(line);
    if (g) generations.push({kind: g[1]!, where: g[2]!, tokens: Number(g[3]), ms: Number(g[4]), pastStop: Number(g[5] ?? 0), modelText: JSON.parse(g[6]!), index});
    const o = OUTCOME_LINE.exec(line);
    if (o) outcomes.push({where: o[1]!, reason: o[2]!, providerMs: Number(o[4]), index, early: /first lines|the line so far/.test(o[3]!)});
  });
  record.generations = generations.map(strip);
  const generationFor = ({where, index, early}: typeof outcomes[number]) => early
    ? generations.find(g => g.kind === "completion" && g.where === where && g.index > index)
    : generations.filter(g => g.where === where && g.index < index).at(-1);
  const here = outcomes.filter(o => o.where === record.where);
  record.outcome = here.at(-1)?.reason;
  const pair = (shown: Shown, outcome: typeof outcomes[number]) => {
    const generation = generationFor(outcome);
    Object.assign(shown, {where: outcome.where, providerMs: outcome.providerMs}, generation && {generation: strip(generation)});
  };
  const shownKey = here.filter(o => SHOWING.includes(o.reason)).at(-1);
  if (!record.keystroke && shownKey) record.outcome = `${shownKey.reason} after the ${GHOST_LIMIT_MS / 1000} s limit`;
  if (!record.keystroke || !shownKey) return;
  record.outcome = shownKey.reason;
  pair(record.keystroke, shownKey);
  const afterTab = outcomes.filter(o => o.index > shownKey.index && o.where !== shownKey.where);
  const shownTab = afterTab.find(o => SHOWING.includes(o.reason));
  if (record.tab && shownTab) pair(record.tab, shownTab);
  else if (record.tabTried) record.tabOutcome = shownTab ? `${shownTab.reason} after the ${TAB_LIMIT_MS / 1000} s limit` : afterTab[0]?.reason ?? "no request logged";
}

const strip = ({index: _index, ...g}: Generation & {index: number}): Generation => g;

/** No request in flight and the model process quiet: background work (a prefetch, a prefill where the cursor jumped) shows nowhere else. */
const modelIdle = (wb: Workbench, pid: number) => waitFor("the model to finish", async () => {
  if (/generating/.test(await wb.statusBarText(STATUS))) return false;
  const before = cpuTicks(pid);
  await sleep(500);
  return cpuTicks(pid) - before < 5; // under 10 % of a core
}, 120_000);

async function setPolicy(wb: Workbench, workspace: string, policy: string): Promise<void> {
  // A workspace setting written on disk; VS Code reads the file again and the extension applies it.
  await fs.writeFile(path.join(workspace, ".vscode", "settings.json"), JSON.stringify(policy === "off" ? {"draftstop.policy": "off"} : {}));
  await waitFor(`policy ${policy} in the status bar`, async () => /target only/.test(await wb.statusBarText(STATUS)) === (policy === "off"), 30_000);
}

interface Idle {seconds: number; cpuPercent: number; pid: number}

/** Our model process: the extension forks out/dist/engineHost.js from its install folder, beside this workbench's user data. */
function ourModelProcess(wb: Workbench): number {
  const folder = path.dirname(wb.userDataDir);
  const pids = readdirSync("/proc").filter(name => /^\d+$/.test(name)).filter(pid => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      return cmdline.includes("engineHost.js") && cmdline.includes(folder);
    } catch {
      return false; // gone since readdir
    }
  });
  if (pids.length !== 1) throw new Error(`expected one model process (engineHost.js under ${folder}), found ${pids.length}`);
  return Number(pids[0]);
}

/** utime + stime, fields 14 and 15 of /proc/<pid>/stat (counted after "pid (comm) "). */
const cpuTicks = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0);

/**
 * Busy CPU ticks of the whole machine (/proc/stat) and of this process and its descendants
 * (code-server, the extension host, the model process, Chromium), at a moment.
 */
function cpuSnapshot(): {at: number; machine: number; ours: number} {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const parent = new Map<number, number>(), ticks = new Map<number, number>();
  for (const pid of readdirSync("/proc").filter(name => /^\d+$/.test(name))) {
    try { // fields from state on: ppid is the 2nd, utime stime cutime cstime the 12th to 15th
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      parent.set(Number(pid), Number(fields[1]));
      ticks.set(Number(pid), fields.slice(11, 15).reduce((a, b) => a + Number(b), 0));
    } catch { /* gone since readdir */ }
  }
  const ours = (pid: number): boolean => pid === process.pid || (pid > 1 && parent.has(pid) && ours(parent.get(pid)!));
  // `at` is the interval otherCores divides by: a load figure for the report.
  return {at: performance.now(), machine: user! + nice! + system! + irq! + softirq! + steal!, ours: sum([...ticks].filter(([pid]) => ours(pid)).map(([, t]) => t))};
}

/** Cores' worth of CPU used outside this run between two snapshots (ticks are 1/100 s on Linux). */
const otherCores = (a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>) =>
  Math.max(0, (b.machine - a.machine) - (b.ours - a.ours)) / CLK_TCK / ((b.at - a.at) / 1000);
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], {encoding: "utf8"}).trim()) || 100;

/** The model process's CPU time over `seconds` with no editor open, as a percentage of one core. */
async function idleCpu({wb, pid}: Run, seconds: number): Promise<Idle> {
  await wb.runCommand("View: Close All Editors");
  await modelIdle(wb, pid);
  // The wall time the CPU share is taken over: a figure for the report.
  const before = cpuTicks(pid), startedAt = performance.now();
  await sleep(seconds * 1000);
  const cpuSeconds = (cpuTicks(pid) - before) / CLK_TCK, wallSeconds = (performance.now() - startedAt) / 1000; // figures
  return {seconds: wallSeconds, cpuPercent: 100 * cpuSeconds / wallSeconds, pid};
}

/** Completions in a "session" for the issue's never-slower figure. */
const SESSION = 20;

function summarize(records: PositionRecord[], ab: PositionRecord[], statusAfterMain: string, statusAtEnd: string, idle: Idle) {
  const shown = records.filter(r => r.keystroke);
  const tabs = records.filter(r => r.tabTried);
  const paired = [...shown.map(r => r.keystroke!), ...records.flatMap(r => r.tab ? [r.tab] : [])].filter(s => s.generation);
  const generated = paired.map(s => s.generation!);
  // Why nothing showed within the limit: the outcome the log gives for the request where typing ended.
  const noGhost = tally(records.filter(r => !r.keystroke).map(r => r.outcome ?? "no request logged"));
  const noTabGhost = tally(tabs.filter(r => !r.tab).map(r => r.tabOutcome ?? "no request logged"));
  const arm = (policy: string) => {
    const runs = ab.filter(r => r.policy === policy), generations = runs.flatMap(r => r.generations);
    const tokens = sum(generations.map(g => g.tokens)), ms = sum(generations.map(g => g.ms));
    return {pooledMsPerToken: ms / tokens, tokens, generations: generations.length, shown: runs.filter(r => r.keystroke).length,
      keystrokeP50: percentile(runs.flatMap(r => r.keystroke ? [r.keystroke.ms] : []), 50)};
  };
  // Per position, the arms' final completions where typing ended, when both wrote the same text (greedy
  // decoding does, unless one was cancelled): decode ms per token with the target alone ÷ with the
  // default. The median of these pairs: pooled sums let one stalled generation decide the figure.
  const final = (id: string, policy: string) => {
    const r = ab.find(r => r.id === id && r.policy === policy);
    return r?.generations.filter(g => g.kind === "completion" && g.where === r.where).at(-1);
  };
  const pairs = records.flatMap(({id}) => {
    const off = final(id, "off"), spec = final(id, "default");
    return off && spec && off.tokens > 0 && spec.tokens > 0 && off.modelText === spec.modelText ? [{off: off.ms, spec: spec.ms, tokens: off.tokens}] : [];
  });
  const ratios = pairs.map(p => p.off / p.spec);
  // The issue's "any session of 20 completions": every run of SESSION consecutive paired positions,
  // its time with the target alone ÷ with the default (the same tokens in both arms).
  const sessions = pairs.slice(0, Math.max(0, pairs.length - SESSION + 1)).map((_, i) => {
    const window = pairs.slice(i, i + SESSION);
    return sum(window.map(p => p.off)) / sum(window.map(p => p.spec));
  });
  return {
    positions: records.length, shown: shown.length, noGhost, noTabGhost,
    readP50: percentile(records.flatMap(r => r.readMs ?? []), 50), readP95: percentile(records.flatMap(r => r.readMs ?? []), 95),
    tabReadP50: percentile(records.flatMap(r => r.tabReadMs ?? []), 50),
    suggestWidget: [...records, ...ab].filter(r => r.suggestWidget).length, measured: records.length + ab.length,
    concurrent: [...records, ...ab].filter(r => r.otherCores > 0.25).length,
    otherCoresMedian: percentile([...records, ...ab].map(r => r.otherCores), 50),
    keystrokeP50: percentile(shown.map(r => r.keystroke!.ms), 50), keystrokeP95: percentile(shown.map(r => r.keystroke!.ms), 95),
    providerP50: percentile(shown.flatMap(r => r.keystroke!.providerMs ?? []), 50),
    tabTried: tabs.length, tabShown: tabs.filter(r => r.tab).length, tabP50: percentile(tabs.filter(r => r.tab).map(r => r.tab!.ms), 50),
    pairedWithLog: paired.length, tokensPerShown: sum(generated.map(g => g.tokens)) / generated.length,
    thrownAway: 1 - sum(paired.map(s => (s.grownTo ?? s.ghost).length)) / sum(generated.map(g => g.modelText.length)),
    pastStopShare: sum(generated.map(g => g.pastStop)) / sum(generated.map(g => g.tokens + g.pastStop)),
    statusAfterMain, statusAtEnd, statusSpeedup: SPEEDUP.exec(statusAfterMain)?.[0], statusSpeedupAtEnd: SPEEDUP.exec(statusAtEnd)?.[0],
    ab: ab.length ? {off: arm("off"), default: arm("default"), pairs: ratios.length,
      ratio: percentile(ratios, 50), ratioP25: percentile(ratios, 25), ratioP75: percentile(ratios, 75),
      pooled: sum(pairs.map(p => p.off)) / sum(pairs.map(p => p.spec)), sessions: sessions.length,
      sessionMin: sessions.length ? Math.min(...sessions) : NaN, sessionMedian: percentile(sessions, 50)} : undefined,
    idle
  };
}

function printTable(s: ReturnType<typeof summarize>, pair: string): void {
  const f = (x: number | undefined, digits = 0) => x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);
  const reasons = (counts: Record<string, number>) => Object.entries(counts).map(([reason, n]) => `${n} ${reason}`).join(", ");
  const rows: Array<[string, string]> = [
    ["positions", `${s.positions}`],
    ["reading before typing", args.read === "prefill" ? `until the prompt is evaluated (prefill): p50 ${f(s.readP50)} ms, p95 ${f(s.readP95)} ms` : "none: typing starts as the cursor lands (--read none)"],
    ["reading before Tab", args.read === "prefill" ? `until the next completion is prefetched: p50 ${f(s.tabReadP50)} ms` : "none: Tab as soon as the ghost text shows"],
    ["ghost text shown within 5 s", `${s.shown} of ${s.positions}${s.shown < s.positions ? ` (none: ${reasons(s.noGhost)})` : ""}`],
    ["keystroke → ghost text p50 / p95", `${f(s.keystrokeP50)} / ${f(s.keystrokeP95)} ms (the provider's own p50: ${f(s.providerP50)} ms)`],
    ["Tab → next ghost text p50", `${f(s.tabP50)} ms (${s.tabShown} of ${s.tabTried} came within 3 s${s.tabShown < s.tabTried ? `; none: ${reasons(s.noTabGhost)}` : ""})`],
    ["suggest widget open when a wait ended", `${s.suggestWidget} of ${s.measured} typed positions (A/B included)`],
    ["CPU used by other work on the machine", `median ${f(s.otherCoresMedian, 2)} cores; over 0.25 cores at ${s.concurrent} of ${s.measured} typed positions`],
    ["tokens per shown completion", `${f(s.tokensPerShown, 1)} (${s.pairedWithLog} shown completions matched in the log)`],
    ["share thrown away by post-processing", `${f(100 * s.thrownAway, 1)} % of the characters the model wrote`],
    ["tokens generated past the stop", `${f(100 * s.pastStopShare, 1)} % of the tokens generated (cut before post-processing)`],
    ["status bar after the main pass", `${s.statusSpeedup ?? "–"}  (${s.statusAfterMain})`],
    ["status bar at the end (A/B included)", `${s.statusSpeedupAtEnd ?? "–"}  (${s.statusAtEnd})`]
  ];
  const arm = (a: NonNullable<typeof s.ab>["off"]) => `${f(a.pooledMsPerToken, 2)} ms/token pooled (${a.tokens} tokens in ${a.generations} ` +
    `generations); ghost text within 5 s at ${a.shown} of ${s.positions}, p50 ${f(a.keystrokeP50)} ms`;
  if (s.ab) rows.push(["A/B target only (policy off)", arm(s.ab.off)], ["A/B default policy", arm(s.ab.default)],
    ["measured speed-up (target only ÷ default)", `${f(s.ab.ratio, 2)}× decode time per token: median of ${s.ab.pairs} positions ` +
      `where both arms wrote the same completion (quartiles ${f(s.ab.ratioP25, 2)}–${f(s.ab.ratioP75, 2)}); pooled over them ${f(s.ab.pooled, 2)}×`],
    [`sessions of ${SESSION} completions (target only ÷ default)`, s.ab.sessions ? `lowest ${f(s.ab.sessionMin, 2)}×, median ${f(s.ab.sessionMedian, 2)}× ` +
      `over ${s.ab.sessions} runs of ${SESSION} consecutive paired positions` : `fewer than ${SESSION} paired positions`]);
  rows.push(["model process CPU while idle", `${f(s.idle.cpuPercent, 2)} % of one core over ${f(s.idle.seconds)} s (pid ${s.idle.pid})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nDraftstop latency through code-server, pair ${pair}`);
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
}

/** packageVsix stages in out/vsix/stage-<target>, which a test run packaging at the same time pulls away: try again. */
async function packageOnce(out: string, tries = 3): Promise<{path: string}> {
  try {
    return await packageVsix({out, log: () => undefined});
  } catch (error) {
    if (tries <= 1) throw error;
    console.warn(`[latency] packaging failed (${(error as Error).message.split("\n")[0]}); trying again in 30 s`);
    await sleep(30_000);
    return packageOnce(out, tries - 1);
  }
}

/** The log's text from a byte offset (offsets are bytes: "→" alone is three). */
const logSince = (log: string, byteOffset: number) => readFileSync(log).subarray(byteOffset).toString("utf8");

function describe(r: PositionRecord): string {
  const ms = (s: Shown | null) => s ? `${Math.round(s.ms)} ms` : "none";
  return `${r.id} typed ${JSON.stringify(r.typed)}: ghost ${ms(r.keystroke)}${r.keystroke ? "" : ` (${r.outcome ?? "no request logged"})`}${r.tabTried ? `, Tab → ${ms(r.tab)}` : ""}` +
    (r.keystroke ? ` ${JSON.stringify(r.keystroke.ghost.slice(0, 40))}` : "");
}

function warnIfStaleBuild(): void {
  const bundle = path.join(repoRoot(), "out", "dist", "extension.js");
  if (!existsSync(bundle)) throw new Error("out/dist/extension.js is missing: run `node esbuild.mjs` first (the VSIX packages it)");
  const newer = sourceFiles([path.join(repoRoot(), "src")], [".ts"]).filter(file => statSync(file).mtimeMs > statSync(bundle).mtimeMs);
  if (newer.length) console.warn(`[latency] warning: out/dist is older than ${newer.length} file(s) in src/ (e.g. ${path.relative(repoRoot(), newer[0]!)}): run \`node esbuild.mjs\` to measure them`);
}

const SPEEDUP = /(\d+\.\d|–)×/;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const tally = (keys: string[]) => keys.reduce<Record<string, number>>((counts, key) => ({...counts, [key]: (counts[key] ?? 0) + 1}), {});
// The benchmark's own pauses (the prefill's idle time, the idle-CPU window, a retry): nothing is judged by them.
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function positiveInt(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} ${value}: expected a positive integer`);
  return Number(value);
}

main().catch(error => {
  console.error(`latency: ${error instanceof Error ? error.stack ?? error.message : error}`);
  process.exitCode = 1;
});
