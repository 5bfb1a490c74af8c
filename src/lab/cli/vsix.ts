// Packages the extension as a platform-specific VSIX with @vscode/vsce.
// Our own code and its pure-JS dependencies are bundled by esbuild (out/dist); from node_modules the
// VSIX takes only node-llama-cpp, its runtime dependencies and the ONE prebuilt binary of the target
// platform (the other @node-llama-cpp/* packages, GPU builds included, are about 700 MB).
//
// vsce runs in a staging folder that holds just that: in the repository it would match its
// .vscodeignore against every file of node_modules and .cache (about a minute), and its `npm list`
// would list all installed binaries.
import {spawn} from "node:child_process";
import {existsSync, readFileSync} from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import {repoRoot} from "./repoRoot";

/** vsce target → node-llama-cpp's CPU (or Metal) prebuilt binary package for it. */
export const LLAMA_BINARY_BY_TARGET: Readonly<Record<string, string>> = {
  "linux-x64": "@node-llama-cpp/linux-x64",
  "linux-arm64": "@node-llama-cpp/linux-arm64",
  "linux-armhf": "@node-llama-cpp/linux-armv7l",
  "darwin-x64": "@node-llama-cpp/mac-x64",
  "darwin-arm64": "@node-llama-cpp/mac-arm64-metal",
  "win32-x64": "@node-llama-cpp/win-x64",
  "win32-arm64": "@node-llama-cpp/win-arm64"
};

/** The one dependency esbuild leaves external (native, ESM): it ships in the VSIX's node_modules. */
const RUNTIME_DEPENDENCY = "node-llama-cpp";
/** What is copied from the repository, where present; .vscodeignore then filters the copy. */
const EXTENSION_FILES = ["README.md", "CHANGELOG.md", "LICENSE", "media", "out/dist", ".vscodeignore"];

/** The vsce target of this machine, e.g. "linux-x64" or "darwin-arm64". */
export function currentTarget(): string {
  const arch = process.arch === "arm" ? "armhf" : process.arch;
  return `${process.platform}-${arch}`;
}

export interface PackageVsixOptions {
  /** The extension folder. Default: the repository root. */
  root?: string;
  /** vsce target, a key of LLAMA_BINARY_BY_TARGET. Default: currentTarget(). */
  target?: string;
  /** The VSIX to write. Default: `<root>/out/vsix/draftstop-<target>-<version>.vsix`. */
  out?: string;
  /** vsce's output lines. Default: console.log. */
  log?: (line: string) => void;
}

export interface PackagedVsix {
  path: string;
  target: string;
  bytes: number;
}

/** Packages out/dist (build it first) and node-llama-cpp for one target into a VSIX. */
export async function packageVsix(options: PackageVsixOptions = {}): Promise<PackagedVsix> {
  const root = options.root ?? repoRoot();
  const target = options.target ?? currentTarget();
  const binary = LLAMA_BINARY_BY_TARGET[target];
  if (!binary)
    throw new Error(`No node-llama-cpp prebuilt binary is known for target "${target}" (known: ${Object.keys(LLAMA_BINARY_BY_TARGET).join(", ")})`);
  if (!existsSync(path.join(root, "node_modules", binary, "package.json")))
    throw new Error(`${binary} is not installed: npm installs only this machine's binaries, so package ${target} on a ${target} machine`);
  if (!existsSync(path.join(root, "out", "dist", "extension.js")))
    throw new Error("out/dist/extension.js is missing: run `node esbuild.mjs --production` first");

  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const out = path.resolve(options.out ?? path.join(root, "out", "vsix", `draftstop-${target}-${manifest.version}.vsix`));
  const stage = path.join(root, "out", "vsix", `stage-${target}`);
  await fs.rm(stage, {recursive: true, force: true});
  await fs.mkdir(path.dirname(out), {recursive: true});
  try {
    await stageExtension(root, stage, manifest, binary);
    const args = [
      "package", "--target", target, "--out", out,
      "--allow-missing-repository", "--no-rewrite-relative-links",
      ...(existsSync(path.join(root, "LICENSE")) ? [] : ["--skip-license"])
    ];
    await runVsce(root, stage, args, options.log ?? console.log);
  } finally {
    await fs.rm(stage, {recursive: true, force: true});
  }
  return {path: out, target, bytes: (await fs.stat(out)).size};
}

/** Copies what the VSIX may contain into `stage`, with a manifest whose only dependency is node-llama-cpp. */
async function stageExtension(root: string, stage: string, manifest: Record<string, any>, binary: string): Promise<void> {
  const {scripts: _scripts, devDependencies: _dev, dependencies, ...rest} = manifest;
  const staged = {...rest, dependencies: {[RUNTIME_DEPENDENCY]: dependencies[RUNTIME_DEPENDENCY]}};
  await fs.mkdir(stage, {recursive: true});
  await fs.writeFile(path.join(stage, "package.json"), JSON.stringify(staged, null, 2) + "\n");
  for (const file of EXTENSION_FILES)
    if (existsSync(path.join(root, file)))
      await fs.cp(path.join(root, file), path.join(stage, file), {recursive: true});
  for (const dir of runtimeClosure(root, RUNTIME_DEPENDENCY, binary)) {
    const from = path.join(root, dir);
    const nested = path.join(from, "node_modules"); // copied as closure entries of their own
    await fs.cp(from, path.join(stage, dir), {recursive: true, filter: (source) => !source.startsWith(nested)});
  }
}

/**
 * The installed folders (relative to root, with "/") of `name` and everything it depends on at run
 * time, resolved the way Node does (nearest node_modules upwards). Optional dependencies are followed
 * when installed, except the @node-llama-cpp/* binaries: of those only `keepOptional`, which must be there.
 */
export function runtimeClosure(root: string, name: string, keepOptional: string): string[] {
  const found = new Set<string>();
  const visit = (pkg: string, fromDir: string, required: boolean) => {
    const dir = resolvePackageDir(root, pkg, fromDir);
    if (!dir) {
      if (required) throw new Error(`${pkg} (needed by ${path.relative(root, fromDir) || "the extension"}) is not installed: run npm ci`);
      return;
    }
    const relative = path.relative(root, dir).split(path.sep).join("/");
    if (found.has(relative)) return;
    found.add(relative);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, true);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      if (!dep.startsWith("@node-llama-cpp/") || dep === keepOptional) visit(dep, dir, dep === keepOptional);
  };
  visit(name, root, true);
  return [...found].sort();
}

function resolvePackageDir(root: string, name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

async function runVsce(root: string, cwd: string, args: string[], log: (line: string) => void): Promise<void> {
  const vsce = path.join(path.dirname(require.resolve("@vscode/vsce/package.json", {paths: [root]})), "vsce");
  const child = spawn(process.execPath, [vsce, ...args], {cwd, stdio: ["ignore", "pipe", "pipe"]});
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
      output.push(line);
      log(`[vsce] ${line}`);
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("exit", resolve));
  if (code !== 0) throw new Error(`vsce ${args.join(" ")} failed with exit code ${code}:\n${output.slice(-20).join("\n")}`);
}
