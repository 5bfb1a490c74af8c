// Runs an extension-host test suite in a real VS Code and resolves with its exit code. Two hosts,
// one suite (its entry exports `run(): Promise<void>`):
// - VS Code desktop through @vscode/test-electron, when $VSCODE_EXECUTABLE is set or VS Code can be
//   downloaded;
// - otherwise code-server 4.100.3 (VS Code 1.100.3, a Node extension host) driven by headless
//   Chromium: the workbench URL's `payload` carries extensionDevelopmentPath/extensionTestsPath, and
//   the page reports the result through `codeAutomationExit`.
import {runTests, TestRunFailedError} from "@vscode/test-electron";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {format} from "node:util";
import {ensureCodeServer, startCodeServer, writeUserSettings, type RunningCodeServer} from "../../src/lab/cli/codeServer";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {launchChromium} from "../e2e/browser";

/** The desktop version to download: the one code-server 4.100.3 bundles, so both hosts agree. */
export const DESKTOP_VSCODE_VERSION = "1.100.3";

/** Lines the workbench logs on every run; DRAFTSTOP_TEST_VERBOSE=1 shows them too. */
const WORKBENCH_CHATTER = /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|ChatSessionStore:|Creation of workbench contribution)/;

export type ExtensionTestHost = "auto" | "desktop" | "code-server";

export interface ExtensionTestOptions {
  /** The extension's folder (its package.json). */
  extensionDevelopmentPath: string;
  /** The compiled suite entry exporting `run(): Promise<void>`, e.g. out/test/vscode/suite/index.js. */
  extensionTestsPath: string;
  /** Folder opened in the window. */
  workspace: string;
  /** User settings, over quiet test defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for the extension host. */
  env?: Record<string, string>;
  /** Default: $DRAFTSTOP_TEST_HOST, else "auto" (desktop when $VSCODE_EXECUTABLE is set or VS Code can be downloaded). */
  host?: ExtensionTestHost;
  /** Rejects and ends everything after this long, not counting a first install of code-server. Default: 300 000 ms. */
  timeoutMs?: number;
  /** Each output line of the suite and the host. Default: printed to stdout. */
  log?: (line: string) => void;
}

export async function runExtensionTests(options: ExtensionTestOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + "\n"));
  const host = options.host ?? (process.env.DRAFTSTOP_TEST_HOST as ExtensionTestHost | undefined) ?? "auto";
  const desktop = host === "desktop" || (host === "auto" && (!!process.env.VSCODE_EXECUTABLE || await canDownloadVSCode()));
  const run = desktop ? runInDesktop : runInCodeServer;
  log(`[runExtensionTests] host: ${desktop ? "VS Code desktop (@vscode/test-electron)" : "code-server + Chromium"}`);
  return run(options, log);
}

/** Whether the VS Code update service answers within a few seconds (here: ENOTFOUND at once). */
async function canDownloadVSCode(): Promise<boolean> {
  const url = "https://update.code.visualstudio.com/api/releases/stable";
  return fetch(url, {method: "HEAD", signal: AbortSignal.timeout(5000)}).then((r) => r.ok, () => false);
}

/** Fails a run that hangs (VS Code or code-server that never returns); the limits are minutes, not a verdict on speed. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms); // only fails a hung run
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runInDesktop(options: ExtensionTestOptions, log: (line: string) => void): Promise<number> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-desktop-"));
  try {
    await writeUserSettings(path.join(tmp, "user-data"), options.settings);
    const run = runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      version: DESKTOP_VSCODE_VERSION,
      cachePath: path.join(repoRoot(), ".cache", "vscode-test"),
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
      extensionTestsEnv: options.env,
      launchArgs: [
        options.workspace, "--disable-extensions", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes",
        `--user-data-dir=${path.join(tmp, "user-data")}`, `--extensions-dir=${path.join(tmp, "extensions")}`
      ]
    }).catch((error: unknown) => {
      if (error instanceof TestRunFailedError && error.code !== undefined) return error.code;
      throw error;
    });
    return await withTimeout(run, options.timeoutMs ?? 300_000, "The extension tests in VS Code desktop");
  } catch (error) {
    log(`[runExtensionTests] ${(error as Error).message}`);
    throw error;
  } finally {
    await fs.rm(tmp, {recursive: true, force: true});
  }
}

async function runInCodeServer(options: ExtensionTestOptions, log: (line: string) => void): Promise<number> {
  await ensureCodeServer({log}); // a first install takes minutes: outside the timeout
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-code-server-tests-"));
  let server: RunningCodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const hostOutput: string[] = [];
  let finished = false; // after a timeout, what is still starting must not outlive the run
  try {
    const session = (async () => {
      server = await startCodeServer({
        workspace: options.workspace,
        extensionsDir: path.join(tmp, "extensions"),
        userDataDir: path.join(tmp, "user-data"),
        settings: options.settings,
        env: options.env,
        onOutput: (line) => hostOutput.push(line)
      });
      browser = await launchChromium({userDataDir: path.join(tmp, "chromium")});
      if (finished) { // timed out while starting
        await Promise.all([browser.close(), server.stop()]);
        return -1;
      }
      let exit!: (code: number) => void;
      const exited = new Promise<number>((resolve) => exit = resolve);
      // The workbench's log, which carries the extension host's console (the suite's reporter) during a test run.
      await browser.exposeFunction("codeAutomationLog", (_level: string, args: unknown) => {
        const line = Array.isArray(args) ? format(...args) : String(args);
        if (process.env.DRAFTSTOP_TEST_VERBOSE || !WORKBENCH_CHATTER.test(line)) log(line);
      });
      await browser.exposeFunction("codeAutomationExit", (code: number) => exit(code));
      const page = browser.pages()[0] ?? await browser.newPage();
      const remote = (file: string) => `vscode-remote://127.0.0.1:${server!.port}${path.resolve(file)}`;
      const payload = [
        ["extensionDevelopmentPath", remote(options.extensionDevelopmentPath)],
        ["extensionTestsPath", remote(options.extensionTestsPath)]
      ];
      await page.goto(`${server.url}?folder=${encodeURIComponent(path.resolve(options.workspace))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return exited;
    })();
    return await withTimeout(session, options.timeoutMs ?? 300_000, "The extension tests in code-server");
  } catch (error) {
    log(`[runExtensionTests] ${(error as Error).message}\n[runExtensionTests] code-server's output:\n${hostOutput.join("\n")}`);
    throw error;
  } finally {
    finished = true;
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fs.rm(tmp, {recursive: true, force: true});
  }
}
