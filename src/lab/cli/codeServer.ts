// code-server (VS Code 1.100.3 in a browser, with a Node extension host) for tests and manual runs:
// install it from npm into a cache folder, start it on loopback, install a VSIX into it.
// A library: no vscode import; used by the extension-host test runner and the e2e tests.
import {execFile, spawn, spawnSync} from "node:child_process";
import {existsSync} from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {promisify} from "node:util";
import {CODE_SERVER_APT_PACKAGES, ensureAptPackages} from "./apt";
import {repoRoot} from "./repoRoot";

/** The last code-server release whose engines allow Node 20; it bundles VS Code 1.100.3. */
export const CODE_SERVER_VERSION = "4.100.3";
/** The file @vscode/ripgrep's postinstall downloads on linux-x64 unless its cache holds it. */
const RIPGREP_LINUX_X64_ASSET = "ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz";
const MARKER = "draftstop-install.json";
const execFileAsync = promisify(execFile);

export interface CodeServerInstall {
  /** The install folder. */
  dir: string;
  /** code-server's entry script, to run with this Node. */
  entry: string;
}

export interface EnsureCodeServerOptions {
  /** Install folder. Default: $DRAFTSTOP_CODE_SERVER_DIR, else `<repo>/.cache/code-server`. */
  dir?: string;
  /** Progress lines. Default: console.log. */
  log?: (line: string) => void;
}

export function defaultCodeServerDir(): string {
  return process.env.DRAFTSTOP_CODE_SERVER_DIR || path.join(repoRoot(), ".cache", "code-server");
}

function entryOf(dir: string): string {
  return path.join(dir, "node_modules", "code-server", "out", "node", "entry.js");
}

/** What a finished install records; a different Node ABI needs a rebuild of the native modules. */
function markerContent(): string {
  return JSON.stringify({version: CODE_SERVER_VERSION, nodeModules: process.versions.modules}) + "\n";
}

async function isInstalled(dir: string): Promise<boolean> {
  const marker = await fs.readFile(path.join(dir, MARKER), "utf8").catch(() => "");
  return marker === markerContent() && existsSync(entryOf(dir));
}

/**
 * Installs code-server@4.100.3 from npm into `dir` unless it is already there (then it returns at once).
 * Cold, it takes about two minutes: it installs the Debian build dependencies when missing (as root),
 * then works around what stops a plain `npm install` on a machine like this one (see docs/facts.md, "Installing code-server"):
 * dependency install scripts blocked by npm 11, the root check of code-server's postinstall,
 * @vscode/ripgrep's download from GitHub, and node-gyp's `npx` prompt. It installs into a
 * sibling folder and renames it, so an interrupted install leaves nothing half done.
 */
export async function ensureCodeServer(options: EnsureCodeServerOptions = {}): Promise<CodeServerInstall> {
  const dir = path.resolve(options.dir ?? defaultCodeServerDir());
  const log = options.log ?? console.log;
  if (await isInstalled(dir)) return {dir, entry: entryOf(dir)};
  if (process.platform === "win32")
    throw new Error("code-server does not run on Windows: set VSCODE_EXECUTABLE to a VS Code desktop to run the tests there");
  if (process.versions.node.split(".")[0] !== "20")
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  ensureAptPackages(CODE_SERVER_APT_PACKAGES, log);

  const staging = `${dir}.partial-${process.pid}`;
  const logFile = path.join(staging, "install.log");
  log(`[code-server] installing ${CODE_SERVER_VERSION} into ${dir} (about 2 minutes; log: ${logFile})`);
  const started = Date.now();
  await fs.rm(staging, {recursive: true, force: true});
  await fs.mkdir(path.join(staging, "tmp"), {recursive: true});
  try {
    await fs.writeFile(path.join(staging, "package.json"), JSON.stringify({name: "draftstop-code-server", private: true}) + "\n");
    const env = installEnv(path.join(staging, "tmp"));
    // 1. The package tree without install scripts; 2. ripgrep's cache; 3. every install script.
    await runLogged("npm", ["install", "--ignore-scripts", "--no-save", `code-server@${CODE_SERVER_VERSION}`], staging, env, logFile);
    await seedRipgrepCache(staging, env.TMPDIR!);
    await runLogged("npm", ["rebuild", "--foreground-scripts"], staging, env, logFile);
    if (!existsSync(path.join(staging, "node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin")))
      throw new Error(`code-server's postinstall did not finish (see ${logFile})`);
    await fs.rm(path.join(staging, "tmp"), {recursive: true, force: true});
    await fs.writeFile(path.join(staging, MARKER), markerContent());
    await fs.rm(dir, {recursive: true, force: true});
    await fs.rename(staging, dir);
  } catch (error) {
    if (await isInstalled(dir)) { // another process finished the same install first
      await fs.rm(staging, {recursive: true, force: true});
      return {dir, entry: entryOf(dir)};
    }
    throw error;
  }
  log(`[code-server] installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return {dir, entry: entryOf(dir)};
}

/** The environment of the install: none of the calling npm's settings, plus the four workarounds. */
function installEnv(tmpDir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return {
    ...env,
    TMPDIR: tmpDir,
    npm_config_unsafe_perm: "true", // code-server's postinstall.sh refuses root without it
    npm_config_yes: "true", // node-pty's install runs `npx node-gyp`, which would prompt
    npm_config_dangerously_allow_all_scripts: "true", // npm 11 skips dependency install scripts by default, nested installs included
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false"
  };
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless `$TMPDIR/vscode-ripgrep-cache-<version>/<asset>`
 * exists. On linux-x64 with an `rg` on PATH (Debian's ripgrep 13), put that one there; elsewhere let it download.
 */
async function seedRipgrepCache(staging: string, tmpDir: string): Promise<void> {
  const rg = spawnSync("sh", ["-c", "command -v rg"], {encoding: "utf8"}).stdout.trim();
  if (process.platform !== "linux" || process.arch !== "x64" || !rg) return;
  const shrinkwrap = path.join(staging, "node_modules/code-server/lib/vscode/npm-shrinkwrap.json");
  const lock = JSON.parse(await fs.readFile(shrinkwrap, "utf8"));
  const version: string | undefined = lock.packages?.["node_modules/@vscode/ripgrep"]?.version;
  if (!version) throw new Error(`No @vscode/ripgrep in ${shrinkwrap}`);
  const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${version}`);
  await fs.mkdir(cacheDir, {recursive: true});
  const tar = spawnSync("tar", ["-czhf", path.join(cacheDir, RIPGREP_LINUX_X64_ASSET), "-C", path.dirname(rg), "rg"], {encoding: "utf8"});
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
}

/** Runs a command with its output appended to `logFile`; rejects with the log's tail when it fails. */
async function runLogged(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const out = await fs.open(logFile, "a");
  try {
    await out.write(`\n$ ${command} ${args.join(" ")}\n`);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, {cwd, env, stdio: ["ignore", out.fd, out.fd]});
      child.on("error", reject);
      child.on("exit", resolve);
    });
    if (code !== 0) {
      const tail = (await fs.readFile(logFile, "utf8")).split("\n").slice(-30).join("\n");
      throw new Error(`\`${command} ${args.join(" ")}\` failed with exit code ${code} in ${cwd}:\n${tail}`);
    }
  } finally {
    await out.close();
  }
}

export interface StartCodeServerOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  /** `--extensions-dir`. */
  extensionsDir: string;
  /** `--user-data-dir`; user settings go to `<userDataDir>/User/settings.json`. */
  userDataDir: string;
  /** Port on 127.0.0.1. Default: a free one. */
  port?: number;
  /** User settings, merged over quiet test defaults (no welcome page, no trust prompt, no telemetry). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for its extension host. */
  env?: Record<string, string>;
  /** Where code-server is installed. Default: `ensureCodeServer()`'s default, installed when missing. */
  codeServerDir?: string;
  /** Each line code-server prints. Default: kept for error messages only. */
  onOutput?: (line: string) => void;
  /** How long to wait for /healthz. Default: 60 000 ms. */
  startTimeoutMs?: number;
}

export interface RunningCodeServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  port: number;
  /** Stops code-server and everything it started, and removes its temporary config folders. */
  stop(): Promise<void>;
}

/** Quiet defaults for test runs: no welcome page, trust prompt, telemetry or update checks. */
const DEFAULT_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "window.restoreWindows": "none"
};

/** Writes `<userDataDir>/User/settings.json`: `settings` over the quiet test defaults. Also right for VS Code desktop. */
export async function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): Promise<void> {
  const content = JSON.stringify({...DEFAULT_SETTINGS, ...settings}, null, 2) + "\n";
  // code-server's window is a remote one: machine-scoped settings (Draftstop's model paths) count
  // only in the remote machine's settings (Machine/), and after the first settings change VS Code
  // drops them from User/. Both files get everything.
  for (const folder of ["User", "Machine"]) {
    const file = path.join(userDataDir, folder, "settings.json");
    await fs.mkdir(path.dirname(file), {recursive: true});
    await fs.writeFile(file, content);
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const {port} = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Preloaded with `--require`: ends code-server when its stdin pipe closes, that is when the process
 * that started it is gone, even by SIGKILL. code-server's forked server inherits the preload, and its
 * stdin is a pipe from the first process, so it follows. The extension host inherits the preload too
 * but must not act on it: it is not code-server's entry script.
 */
const WATCHDOG = `if (/out[\\\\/]node[\\\\/]entry(\\.js)?$/.test(process.argv[1] || ""))
  process.stdin.on("end", () => process.kill(process.pid, "SIGTERM")).resume();
`;

/** Starts code-server on 127.0.0.1, waits until /healthz answers, and returns how to reach and stop it. */
export async function startCodeServer(options: StartCodeServerOptions): Promise<RunningCodeServer> {
  const {entry} = await ensureCodeServer({dir: options.codeServerDir});
  const port = options.port ?? await freePort();
  const state = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-code-server-"));
  // The shared model process leaves with the run's last window, not minutes later (a setting may say otherwise).
  await writeUserSettings(options.userDataDir, {"draftstop.sharedProcess.idleMinutes": 0, ...options.settings});
  await fs.mkdir(options.extensionsDir, {recursive: true});
  await fs.writeFile(path.join(state, "watchdog.js"), WATCHDOG);

  const args = [
    "--require", path.join(state, "watchdog.js"), entry,
    "--bind-addr", `127.0.0.1:${port}`, "--auth", "none",
    "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
    "--extensions-dir", options.extensionsDir, "--user-data-dir", options.userDataDir, options.workspace
  ];
  const child = spawn(process.execPath, args, {
    // No extension gallery: machines like this one cannot reach it, and tests must not depend on it.
    env: {...process.env, ...codeServerStateEnv(state), EXTENSIONS_GALLERY: JSON.stringify({serviceUrl: ""}), ...options.env},
    stdio: ["pipe", "pipe", "pipe"],
    detached: true // its own process group: stop() ends the server and its extension hosts together
  });
  const output: string[] = [];
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > 200) output.shift();
    options.onOutput?.(line);
  };
  forEachLine(child.stdout!, onLine);
  forEachLine(child.stderr!, onLine);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try { process.kill(-child.pid!, signal); } catch { /* already gone */ }
  };
  const onParentExit = () => killGroup("SIGKILL");
  process.once("exit", onParentExit);

  let stopping: Promise<void> | undefined;
  const stop = () => stopping ??= (async () => {
    process.off("exit", onParentExit);
    killGroup("SIGTERM");
    const timer = setTimeout(() => killGroup("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    killGroup("SIGKILL"); // whatever of the group outlived the server
    await fs.rm(state, {recursive: true, force: true});
  })();

  try {
    await waitForHealthz(port, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\ncode-server's output:\n${output.join("\n")}`);
  }
  return {url: `http://127.0.0.1:${port}/`, port, stop};
}

/**
 * XDG folders of one code-server run, so that it reads and writes nothing in the user's home; its
 * own runtime folder too, so that its windows share a model process (docs/sharing.md) with each
 * other but not with another run's or the user's (options.env may name a runtime folder to share).
 */
function codeServerStateEnv(state: string): Record<string, string> {
  return {XDG_CONFIG_HOME: path.join(state, "config"), XDG_DATA_HOME: path.join(state, "data"), XDG_RUNTIME_DIR: path.join(state, "run")};
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    lines.forEach(onLine);
  });
  stream.on("end", () => rest && onLine(rest));
}

async function waitForHealthz(port: number, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => gone = true);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error("code-server exited before it answered /healthz");
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer http://127.0.0.1:${port}/healthz within ${timeoutMs} ms`);
}

/** Installs a packaged extension into `extensionsDir` with `code-server --install-extension` (replaces an older copy). */
export async function installVsix(vsixPath: string, extensionsDir: string, options: {codeServerDir?: string} = {}): Promise<void> {
  const {entry} = await ensureCodeServer({dir: options.codeServerDir});
  const state = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-code-server-"));
  await fs.mkdir(extensionsDir, {recursive: true}); // code-server creates one level only
  try {
    await execFileAsync(process.execPath, [
      entry, "--extensions-dir", extensionsDir, "--user-data-dir", path.join(state, "user-data"),
      "--install-extension", path.resolve(vsixPath), "--force"
    ], {env: {...process.env, ...codeServerStateEnv(state)}, timeout: 120_000});
  } catch (error) {
    const {stdout, stderr} = error as {stdout?: string, stderr?: string};
    throw new Error(`Installing ${vsixPath} failed: ${(error as Error).message}\n${stdout ?? ""}${stderr ?? ""}`);
  } finally {
    await fs.rm(state, {recursive: true, force: true});
  }
}
