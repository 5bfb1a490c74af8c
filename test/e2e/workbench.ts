// A packaged extension in a real workbench: code-server with the VSIX installed, opened in headless
// Chromium, plus the few UI steps the e2e tests need.
import {existsSync, readFileSync} from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type {BrowserContext, Page} from "playwright-core";
import {installVsix, startCodeServer, type RunningCodeServer} from "../../src/lab/cli/codeServer";
import {namedPair} from "../../src/lab/cli/pairs";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {launchChromium} from "./browser";

export interface WorkbenchOptions {
  /** The VSIX to install. */
  vsix: string;
  /** Folder opened in the workbench. */
  workspace: string;
  /** User settings, over quiet test defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
}

export interface Workbench {
  page: Page;
  codeServer: RunningCodeServer;
  /** code-server's --user-data-dir: User/settings.json, and logs/ with the extensions' output channels. */
  userDataDir: string;
  /** Opens a workspace file through quick open (Ctrl+P) and waits for its editor tab. */
  openFile(relativePath: string): Promise<void>;
  /** Moves the cursor of the focused editor to a 1-based line and column (Go to Line, Ctrl+G). */
  goTo(line: number, column: number): Promise<void>;
  /** Types into whatever has focus, key by key (the editor after openFile). */
  type(text: string): Promise<void>;
  /** Runs a command by its title through the command palette, e.g. "Draftstop: Hello". */
  runCommand(title: string): Promise<void>;
  /** Runs editor.action.inlineSuggest.trigger on the focused editor. */
  triggerInlineSuggest(): Promise<void>;
  /** The text of the inline suggestion shown now in the focused editor, lines joined with "\n" ("" when none). */
  ghostText(): Promise<string>;
  /** The text of a status bar item, by the id given to createStatusBarItem; waits up to 30 s for it to appear. */
  statusBarText(id: string): Promise<string>;
  /** Saves a PNG of the page to test-results/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Closes the browser, stops code-server and removes the temporary folders. */
  close(): Promise<void>;
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot(), "package.json"), "utf8"));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-e2e-"));
  let codeServer: RunningCodeServer | undefined;
  let browser: BrowserContext | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop();
    await fs.rm(tmp, {recursive: true, force: true});
  };
  try {
    const extensionsDir = path.join(tmp, "extensions");
    const userDataDir = path.join(tmp, "user-data");
    await installVsix(options.vsix, extensionsDir);
    codeServer = await startCodeServer({
      workspace: options.workspace, extensionsDir, userDataDir,
      settings: options.settings, env: options.env
    });
    browser = await launchChromium({userDataDir: path.join(tmp, "chromium")});
    const page = browser.pages()[0] ?? await browser.newPage();
    await page.goto(`${codeServer.url}?folder=${encodeURIComponent(path.resolve(options.workspace))}`);
    await page.locator(".monaco-workbench .part.statusbar").waitFor({timeout: 60_000});
    return {page, codeServer, userDataDir, close, ...helpers(page)};
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Another window of the same code-server (a tab of the same browser): its own extension host, on
 * `workspace`. Closing it closes the tab only; the first window's close() ends everything.
 */
export async function openWindow(workbench: Workbench, workspace: string): Promise<Workbench> {
  const page = await workbench.page.context().newPage();
  await page.goto(`${workbench.codeServer.url}?folder=${encodeURIComponent(path.resolve(workspace))}`);
  await page.locator(".monaco-workbench .part.statusbar").waitFor({timeout: 60_000});
  return {page, codeServer: workbench.codeServer, userDataDir: workbench.userDataDir, close: () => page.close(), ...helpers(page)};
}

function helpers(page: Page): Omit<Workbench, "page" | "codeServer" | "userDataDir" | "close"> {
  const quickInput = page.locator(".quick-input-widget input");
  /** `row`: text the focused row must show before Enter (the list can still hold the previous pick's rows). */
  const pick = async (opener: string, query: string, row?: string) => {
    await page.keyboard.press(opener);
    await quickInput.waitFor();
    await quickInput.fill(query);
    await page.locator(".quick-input-list .monaco-list-row.focused", row ? {hasText: row} : {}).waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-widget").waitFor({state: "hidden"});
  };
  const runCommand = (title: string) => pick("F1", `>${title}`);
  return {
    async openFile(relativePath) {
      await pick("Control+P", relativePath, path.basename(relativePath));
      await page.locator(`.tabs-container .tab.active[data-resource-name="${path.basename(relativePath)}"]`).waitFor();
      await page.locator(".monaco-editor textarea").first().waitFor();
    },
    async goTo(line, column) {
      await page.keyboard.press("Control+G");
      await quickInput.waitFor();
      await quickInput.fill(`:${line}:${column}`);
      await page.keyboard.press("Enter");
      await page.locator(".quick-input-widget").waitFor({state: "hidden"});
    },
    type: (text) => page.keyboard.type(text),
    runCommand,
    triggerInlineSuggest: () => runCommand("Trigger Inline Suggestion"),
    ghostText: () => page.evaluate((firstLineSelector) => {
      // The first line is inline in the editor's own line; further lines are a preview block below it.
      const editor = document.querySelector(".monaco-editor.focused") ?? document.querySelector(".monaco-editor");
      if (!editor) return "";
      const text = (spans: ArrayLike<Element>) => Array.from(spans, (span) => span.textContent ?? "").join("").replace(/\u00a0/g, " ");
      const top = (line: Element) => parseFloat((line as HTMLElement).style.top) || 0;
      const first = text(editor.querySelectorAll(firstLineSelector));
      const rest = Array.from(editor.querySelectorAll(".suggest-preview-text .view-line"))
        .sort((a, b) => top(a) - top(b))
        .map((line) => text(line.querySelectorAll(".ghost-text")));
      return first || rest.length ? [first, ...rest].join("\n") : "";
    }, GHOST_FIRST_LINE_SELECTOR),
    async statusBarText(id) {
      const fullId = id.startsWith(`${EXTENSION_ID}.`) ? id : `${EXTENSION_ID}.${id}`;
      return (await page.locator(`.part.statusbar [id="${fullId}"]`).innerText()).trim();
    },
    async screenshot(name) {
      const file = path.join(repoRoot(), "test-results", `${name}.png`);
      await fs.mkdir(path.dirname(file), {recursive: true});
      await page.screenshot({path: file});
      return file;
    }
  };
}

/** The log file of the "Draftstop" Output channel, which code-server writes under <user-data>/logs. */
export async function findDraftstopLog(userDataDir: string): Promise<string> {
  let found: string | undefined;
  await waitFor("the Draftstop log file", async () => {
    const files = existsSync(path.join(userDataDir, "logs")) ? await fs.readdir(path.join(userDataDir, "logs"), {recursive: true}) : [];
    found = files.map(String).find(file => path.basename(file).toLowerCase().includes("draftstop") && file.endsWith(".log"));
    return found !== undefined;
  }, 30_000);
  return path.join(userDataDir, "logs", found!);
}

/** The models the editor tests load: DRAFTSTOP_TEST_TARGET and DRAFTSTOP_TEST_DRAFT when both are set, else SmolLM2 and its draft. */
/**
 * The spans of the ghost text's first line, inline in the editor's line. Beside the suggest widget,
 * the selected item's preview is ghost-text-decoration and an inline completion that continues it
 * ghost-text-decoration-preview.
 */
export const GHOST_FIRST_LINE_SELECTOR = ".ghost-text-decoration, .ghost-text-decoration-preview";

export async function editorTestModels(): Promise<{target: string; draft: string}> {
  const {DRAFTSTOP_TEST_TARGET: target, DRAFTSTOP_TEST_DRAFT: draft} = process.env;
  return target && draft ? {target, draft} : namedPair({name: "smollm2", padded: false});
}

/** The last `chars` characters of the Draftstop log, for a failure message ("" when there is none). */
export async function draftstopLogTail(userDataDir: string, chars = 4000): Promise<string> {
  const log = await findDraftstopLog(userDataDir).catch(() => undefined);
  return log ? (await fs.readFile(log, "utf8")).slice(-chars) : "";
}

/** Polls `condition`; `timeoutMs` only fails a wait for something that never comes. */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs; // only fails a hang
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`); // the hang guard
    await new Promise(resolve => setTimeout(resolve, 250)); // the polling interval
  }
}
