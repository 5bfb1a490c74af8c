// npm run build:llamacpp: builds llama.cpp's speculative-decoding examples, the benchmark peer
// (src/lab/bench/llamaCppPeer.ts), from the llama.cpp source that node-llama-cpp ships as a git bundle,
// so it runs offline and compares like with like: the same ggml kernels as the extension's.
// Everything goes to .cache/llama-cpp (git-ignored). Running it again does only what is missing.
import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {setPriority} from "node:os";
import path from "node:path";
import {parseArgs} from "node:util";
import {LLAMA_CPP_PROGRAMS, LlamaCppLayout, llamaCppLayout, llamaCppProgramPath} from "../bench/llamaCppPeer";
import {repoRoot} from "./repoRoot";

const USAGE = `usage: node out/src/lab/cli/buildLlamaCpp.js [--jobs N]
  --jobs N   parallel compile jobs (default 2)
Clones node-llama-cpp's llama.cpp bundle into .cache/llama-cpp/src, checks out its release tag,
and builds ${LLAMA_CPP_PROGRAMS.join(", ")} (CPU only, Release) in .cache/llama-cpp/build.`;

// CPU only and nothing that reaches the network: the peer has to measure the same CPU kernels the
// extension runs, on machines where a GPU SDK or an HTTPS library may be missing.
const CMAKE_OPTIONS = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DGGML_NATIVE=ON",
  "-DGGML_CUDA=OFF", "-DGGML_VULKAN=OFF", "-DGGML_METAL=OFF", "-DGGML_BLAS=OFF",
  // LLAMA_CURL is deprecated in this llama.cpp (LLAMA_OPENSSL took over HTTPS); both off, so any
  // version builds without a download stack.
  "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_SERVER=OFF", "-DLLAMA_BUILD_APP=OFF",
  // examples hold the speculative programs; tools hold llama-completion, the target-only baseline.
  "-DLLAMA_BUILD_EXAMPLES=ON", "-DLLAMA_BUILD_TOOLS=ON"
];

class BuildError extends Error {}

function has(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v "${command}"`], {stdio: "ignore"}).status === 0;
}

function run(command: string, args: string[], options: {cwd?: string; capture?: boolean} = {}): string {
  const result = spawnSync(command, args, {cwd: options.cwd, encoding: "utf8", stdio: options.capture ? ["ignore", "pipe", "inherit"] : "inherit", maxBuffer: 64 << 20});
  if (result.error) throw new BuildError(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new BuildError(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  return result.stdout ?? "";
}

function git(source: string, ...args: string[]): string {
  return run("git", ["-C", source, ...args], {capture: true}).trim();
}

/** Every missing tool at once, so one install fixes the lot. */
function checkTools(): {generator?: string} {
  const missing: string[] = [];
  if (!has("git")) missing.push("git");
  if (!has("cmake")) missing.push("cmake");
  const cxx = process.env.CXX;
  if (cxx ? !has(cxx) : !["c++", "g++", "clang++"].some(has)) missing.push(cxx ? `the C++ compiler CXX=${cxx}` : "a C++ compiler (g++ or clang++)");
  const make = has("make"), ninja = has("ninja");
  if (!make && !ninja) missing.push("make or ninja");
  if (missing.length > 0)
    throw new BuildError(`Cannot build llama.cpp: missing ${missing.join(", ")}.\n` +
      `On Debian/Ubuntu: sudo apt-get install -y git cmake g++ make`);
  return {generator: make ? undefined : "Ninja"};
}

interface Release {
  tag: string;
  bundle: string;
  /** The commit the tag names in the bundle. */
  commit: string;
}

function nodeLlamaCppRelease(root: string): Release {
  const llamaDir = path.join(root, "node_modules", "node-llama-cpp", "llama");
  const info = path.join(llamaDir, "llama.cpp.info.json");
  const bundle = path.join(llamaDir, "gitRelease.bundle");
  for (const file of [info, bundle])
    if (!existsSync(file)) throw new BuildError(`${file} is missing: node-llama-cpp is not installed (run npm ci) or ships no llama.cpp source bundle`);
  const tag = (JSON.parse(readFileSync(info, "utf8")) as {tag?: string}).tag;
  if (!tag) throw new BuildError(`${info} names no llama.cpp tag`);
  const heads = run("git", ["bundle", "list-heads", bundle], {capture: true}).trim().split("\n").map(line => line.split(" ") as [string, string]);
  // node-llama-cpp squashes the release into one commit and bundles only HEAD, so the tag itself is
  // usually absent; HEAD is then the release.
  const tagged = heads.find(([, ref]) => ref === `refs/tags/${tag}`) ?? heads.find(([, ref]) => ref === "HEAD");
  if (!tagged) throw new BuildError(`${bundle} holds neither refs/tags/${tag} nor HEAD`);
  return {tag, bundle, commit: tagged[0]};
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Clones or updates the checkout; true when the tree changed (or was never stamped). */
function checkout(layout: LlamaCppLayout, release: Release): boolean {
  const {source} = layout;
  if (existsSync(source) && !existsSync(path.join(source, ".git")))
    throw new BuildError(`${source} exists but is not a git checkout; delete it and run again`);
  if (!existsSync(source)) {
    mkdirSync(path.dirname(source), {recursive: true});
    console.log(`[llama.cpp] cloning ${release.bundle}`);
    run("git", ["clone", "--quiet", "--no-checkout", release.bundle, source]);
  }
  const present = spawnSync("git", ["-C", source, "cat-file", "-e", `${release.commit}^{commit}`], {stdio: "ignore"}).status === 0;
  if (!present) {
    console.log(`[llama.cpp] fetching ${release.tag} from the bundle`);
    run("git", ["-C", source, "fetch", "--quiet", release.bundle, "HEAD"]);
  }
  // A local tag, so `git describe` and the build's version string name the release.
  git(source, "tag", "--force", release.tag, release.commit);
  const stamp = readJson(layout.checkoutStamp) as {tag?: string; commit?: string} | undefined;
  const head = spawnSync("git", ["-C", source, "rev-parse", "--verify", "--quiet", "HEAD"], {encoding: "utf8"}).stdout.trim();
  const clean = git(source, "status", "--porcelain", "--untracked-files=no") === "";
  if (head === release.commit && clean && stamp?.commit === release.commit) return false;
  console.log(`[llama.cpp] checking out ${release.tag} (${release.commit.slice(0, 10)})`);
  run("git", ["-C", source, "-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", "--detach", release.tag]);
  writeFileSync(layout.checkoutStamp, JSON.stringify({tag: release.tag, commit: release.commit}) + "\n");
  return true;
}

/** A build of this commit with these options finished after the last checkout, and left every program. */
function upToDate(layout: LlamaCppLayout, configureKey: string): boolean {
  if ((readJson(layout.buildStamp) as {key?: string} | undefined)?.key !== configureKey) return false;
  if (statSync(layout.buildStamp).mtimeMs <= statSync(layout.checkoutStamp).mtimeMs) return false;
  return LLAMA_CPP_PROGRAMS.every(program => existsSync(llamaCppProgramPath(layout, program)));
}

function main(): void {
  const {values} = parseArgs({options: {jobs: {type: "string", default: "2"}, help: {type: "boolean", default: false}}});
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new BuildError(`--jobs must be a positive integer, not ${values.jobs}`);
  try {
    // A build of many minutes should not slow the editor or a benchmark running beside it;
    // the compilers inherit this.
    setPriority(19);
  } catch {
    // not permitted here: build at normal priority
  }

  const {generator} = checkTools();
  const root = repoRoot();
  const layout = llamaCppLayout(root);
  const release = nodeLlamaCppRelease(root);
  checkout(layout, release);

  const options = [...CMAKE_OPTIONS];
  const configureKey = JSON.stringify({commit: release.commit, options});
  if (upToDate(layout, configureKey)) {
    console.log(`[llama.cpp] ${release.tag} is already built`);
  } else {
    const started = Date.now();
    const cache = path.join(layout.build, "CMakeCache.txt");
    if (!existsSync(cache) || (readJson(layout.configureStamp) as {key?: string} | undefined)?.key !== configureKey) {
      // A build folder keeps its generator; naming another one would make CMake refuse.
      const generatorArgs = generator && !existsSync(cache) ? ["-G", generator] : [];
      run("cmake", ["-S", layout.source, "-B", layout.build, ...generatorArgs, ...options]);
      writeFileSync(layout.configureStamp, JSON.stringify({key: configureKey}) + "\n");
    }
    run("cmake", ["--build", layout.build, "--config", "Release", "-j", String(jobs), "--target", ...LLAMA_CPP_PROGRAMS]);
    for (const program of LLAMA_CPP_PROGRAMS)
      if (!existsSync(llamaCppProgramPath(layout, program))) throw new BuildError(`the build finished without ${llamaCppProgramPath(layout, program)}`);
    writeFileSync(layout.buildStamp, JSON.stringify({key: configureKey}) + "\n");
    console.log(`[llama.cpp] built ${release.tag} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  }
  for (const program of LLAMA_CPP_PROGRAMS) console.log(`${program}: ${llamaCppProgramPath(layout, program)}`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`[llama.cpp] ${error.message}`);
  process.exitCode = 1;
}
