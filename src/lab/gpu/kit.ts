// npm run gpu-kit [-- --check] : packs .cache/gpu-kit/kit.tar.xz, everything a GPU machine with no
// Node.js and no network needs to run the benchmark and passcost there (src/lab/gpu/deviceRun.sh):
//   bin/node                      this machine's Node 20, stripped
//   node_modules/                 node-llama-cpp's runtime (dist and production dependencies, no
//                                 llama.cpp source bundle, no other platforms' prebuilt binaries),
//                                 and @node-llama-cpp/linux-x64-cuda whose libggml-cuda.so has its
//                                 device code removed ("host-only"); not the CPU package (CPU_PACKAGE)
//   cuda/cubins/tu<i>.cubin       sm_90 machine code for each of its fat binaries, made here by ptxas
//                                 from the compute_90 PTX node-llama-cpp ships, and cuda/fatbinary to
//                                 write them back (src/lab/gpu/unpack.ts, at unpack time)
//   dist/                         the benchmark, passcost and the kit's own tools, bundled by esbuild
//   package.json, deviceRun.sh
// The pairs are not copied: the tiny pair is tracked in the repository and travels with every
// device run; the kit links to it at unpack (deviceRun.sh) and makes the big padded target there.
//
// Options: --check (unpack into a temporary folder and run passcost and a tiny benchmark on the
// CPU with the kit's node and files only), --no-pack (check the kit already packed),
// --cuda-bin DIR (cuobjdump, ptxas, fatbinary of CUDA ≥ 13.1; default .cache/gpu-kit-build/cuda/bin),
// --no-cuda (pack the CPU backend only).
import {execFileSync} from "node:child_process";
import {cpSync, existsSync, mkdirSync, symlinkSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, relative} from "node:path";
import {parseArgs} from "node:util";
import {readFatbins, zeroFatbins} from "./fatbin";
import type {CudaManifest} from "./unpack";
import {repoRoot} from "../cli/repoRoot";
import {ensureCudaTools} from "./cudaTools";

const MiB = 1024 * 1024;
/** The most the kit may take (issue 14); what travels with a device run is 64 MiB in all, tracked files included. */
export const KIT_LIMIT = 60 * MiB;
export const TRAVEL_LIMIT = 64 * MiB;
const CUDA_PACKAGE = "@node-llama-cpp/linux-x64-cuda";
const CUDA_LIB = `node_modules/${CUDA_PACKAGE}/bins/linux-x64-cuda/libggml-cuda.so`;

function log(message: string): void {
  console.log(`gpu-kit: ${message}`);
}

function run(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number} = {}): string {
  return execFileSync(command, args, {encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * MiB, ...options});
}

/**
 * node-llama-cpp's dependencies that only its source build uses and no module it loads imports
 * (cmake-js, the N-API headers, tar). The others stay: node-llama-cpp's index imports its
 * downloader (ipull), git helpers (simple-git) and CLI (yargs) statically, and --check, unpacked
 * outside the repository, fails without them.
 */
export const NOT_LOADED = ["tar", "cmake-js", "node-addon-api", "node-api-headers"];

/** node-llama-cpp and its production dependencies, as folders of the repository's node_modules. */
export function runtimePackages(root: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    if (name.startsWith("@node-llama-cpp/") || NOT_LOADED.includes(name)) return;
    // Node's resolution: the nearest node_modules/<name> above `from`.
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) {
        if (seen.has(candidate)) return;
        seen.add(candidate);
        const manifest = JSON.parse(readFileSync(join(candidate, "package.json"), "utf8"));
        for (const dep of Object.keys({...manifest.dependencies, ...manifest.optionalDependencies})) visit(dep, candidate);
        return;
      }
      if (dirname(dir) === dir) return; // an optional dependency not installed here (another platform's)
    }
  };
  visit("node-llama-cpp", root);
  return [...seen].map(p => relative(root, p)).sort();
}

function copyRuntime(root: string, stage: string): void {
  for (const pkg of runtimePackages(root)) {
    cpSync(join(root, pkg), join(stage, pkg), {recursive: true, dereference: true, filter: source => {
      const rel = relative(join(root, pkg), source);
      // node-llama-cpp's llama.cpp source (34 MB) and local builds are for building, not running.
      return !(pkg === "node_modules/node-llama-cpp" && (rel === "llama/gitRelease.bundle" || rel.startsWith("llama/localBuilds") || rel.startsWith("node_modules/.cache")))
        && !rel.startsWith("node_modules/@node-llama-cpp");
    }});
  }
}

/**
 * node-llama-cpp's CPU package, which the kit leaves out: a GPU machine uses the CUDA package's own
 * CPU backend, and the CPU package's own builds (2.5 MiB compressed) would take the kit past what a
 * device run carries. The CPU check here (and deviceRun.sh's --gpu off dry run) link this
 * machine's copy, from npm ci, into the unpacked kit.
 */
export const CPU_PACKAGE = "node_modules/@node-llama-cpp/linux-x64";

export function linkCpuPackage(root: string, kitDir: string): void {
  const from = join(root, CPU_PACKAGE), to = join(kitDir, CPU_PACKAGE);
  if (!existsSync(from)) throw new Error(`${from}: node-llama-cpp's CPU package is missing (npm ci installs it on linux-x64)`);
  if (!existsSync(to)) symlinkSync(from, to);
}

/**
 * ggml's CPU backend ships one library per x86-64 generation and loads the best one the processor
 * supports. On a GPU machine the CPU does little but feed the GPU, so the kit keeps the generic one
 * and AVX2's (haswell: every x86-64 server since 2013) and leaves out twelve: with them the kit and
 * the working tree were over the 64 MiB a device run carries.
 */
export const KEPT_CPU_VARIANTS = ["x64", "haswell"];

function keptCpuVariant(source: string): boolean {
  const variant = /libggml-cpu-([a-z0-9]+)\.so$/.exec(source)?.[1];
  return variant === undefined || KEPT_CPU_VARIANTS.includes(variant);
}

/** Copies the CUDA package, but its libggml-cuda.so (pack() writes a host-only one) and the CPU variants left out. */
function copyCudaPackage(root: string, stage: string): void {
  const from = join(root, "node_modules", CUDA_PACKAGE), to = join(stage, "node_modules", CUDA_PACKAGE);
  cpSync(from, to, {recursive: true, filter: source => !source.endsWith("libggml-cuda.so") && keptCpuVariant(source)});
}

/** sm_90 cubins for every fat binary of the prebuilt library, made with ptxas from its compute_90 PTX (cached in `cache`). */
function makeCubins(lib: string, cudaBin: string, cache: string): {index: number; ptxNumber: number}[] {
  const {fatbins} = readFatbins(readFileSync(lib));
  mkdirSync(cache, {recursive: true});
  // cuobjdump numbers the PTX files it extracts by their order in the section, from 1.
  const units: {index: number; ptxNumber: number}[] = [];
  let ptx = 0;
  for (const f of fatbins) {
    let mine = 0;
    for (const e of f.entries) if (e.kind === "ptx") { ptx++; if (e.sm === 90) mine = ptx; }
    if (mine === 0) throw new Error(`fat binary ${f.index} has no compute_90 PTX`);
    units.push({index: f.index, ptxNumber: mine});
  }
  const missing = units.filter(u => !existsSync(join(cache, `tu${u.index}.cubin`)));
  if (missing.length > 0) {
    log(`${missing.length} of ${units.length} cubins to make with ptxas (one core; the whole library takes about 30 minutes)`);
    const ptxDir = join(cache, "ptx");
    mkdirSync(ptxDir, {recursive: true});
    run(join(cudaBin, "cuobjdump"), ["-xptx", "sm_90", lib], {cwd: ptxDir});
    for (const u of missing) {
      const ptxFile = join(ptxDir, `libggml-cuda.${u.ptxNumber}.sm_90.ptx`);
      run("nice", ["-n", "19", join(cudaBin, "ptxas"), "-arch=sm_90", ptxFile, "-o", join(cache, `tu${u.index}.cubin.tmp`)]);
      renameSync(join(cache, `tu${u.index}.cubin.tmp`), join(cache, `tu${u.index}.cubin`));
    }
  }
  return units;
}

function bundle(root: string, stage: string): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require(join(root, "node_modules", "esbuild")) as typeof import("esbuild");
  esbuild.buildSync({
    entryPoints: {
      "cli/bench": join(root, "src/lab/cli/bench.ts"), "cli/passcost": join(root, "src/lab/cli/passcost.ts"),
      "gpu/bigTarget": join(root, "src/lab/gpu/bigTarget.ts"), "gpu/unpack": join(root, "src/lab/gpu/unpack.ts")
    },
    bundle: true, platform: "node", target: "node20", format: "cjs", outdir: join(stage, "dist"),
    external: ["vscode", "node-llama-cpp"], absWorkingDir: root,
    alias: {"vega-canvas": "./node_modules/vega-canvas/build/vega-canvas.browser.js"}, logLevel: "warning"
  });
}

function dirBytes(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + dirBytes(join(path, name)), 0);
}

/** Bytes of what travels with a device run besides carried paths: tracked files and untracked ones git does not ignore. */
export function travellingBytes(root: string): number {
  const files = run("git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).split("\0").filter(Boolean);
  return files.reduce((sum, f) => sum + (existsSync(join(root, f)) ? statSync(join(root, f)).size : 0), 0);
}

export function pack(options: {root: string; out: string; cudaBin: string; cuda: boolean}): {path: string; bytes: number; seconds: number} {
  const started = Date.now();
  const build = join(options.root, ".cache", "gpu-kit-build");
  const stage = join(build, "stage");
  rmSync(stage, {recursive: true, force: true});
  mkdirSync(join(stage, "bin"), {recursive: true});
  log("node");
  cpSync(process.execPath, join(stage, "bin/node"));
  try { run("strip", [join(stage, "bin/node")]); } catch { log("no strip here: node goes unstripped"); }
  log("node-llama-cpp runtime");
  copyRuntime(options.root, stage);
  if (options.cuda) {
    log("CUDA backend (sm_90)");
    copyCudaPackage(options.root, stage);
    const prebuilt = join(options.root, CUDA_LIB);
    const units = makeCubins(prebuilt, options.cudaBin, join(build, "cubins"));
    const lib = readFileSync(prebuilt);
    const slots = zeroFatbins(lib).map(f => ({index: f.index, offset: f.offset, slot: f.slot}));
    writeFileSync(join(stage, CUDA_LIB), lib);
    mkdirSync(join(stage, "cuda", "cubins"), {recursive: true});
    for (const u of units) cpSync(join(build, "cubins", `tu${u.index}.cubin`), join(stage, "cuda", "cubins", `tu${u.index}.cubin`));
    cpSync(join(options.cudaBin, "fatbinary"), join(stage, "cuda", "fatbinary"));
    const manifest: CudaManifest = {library: CUDA_LIB, sm: 90, slots};
    writeFileSync(join(stage, "cuda", "manifest.json"), JSON.stringify(manifest));
  } else {
    rmSync(join(stage, "node_modules", CUDA_PACKAGE), {recursive: true, force: true});
  }
  log("benchmark and passcost");
  bundle(options.root, stage);
  cpSync(join(options.root, "src/lab/gpu/deviceRun.sh"), join(stage, "deviceRun.sh"));
  writeFileSync(join(stage, "package.json"), JSON.stringify({name: "draftstop", private: true, description: "Draftstop GPU kit (src/lab/gpu/kit.ts)"}, null, 2));
  // A 256 MiB window instead of -9's 64 MiB: the 143 cubins (116 MB) share much of their code and
  // the stripped node is 86 MB; it saved about 15 % on the cubins at preset 6. Unpacking needs 256 MiB.
  log(`staged ${(dirBytes(stage) / MiB).toFixed(1)} MiB; compressing (xz preset 9, 256 MiB window, one core)`);
  mkdirSync(options.out, {recursive: true});
  const tarball = join(options.out, "kit.tar.xz");
  run("sh", ["-c", `tar -C "${stage}" -cf - . | nice -n 19 xz --lzma2=preset=9,dict=256MiB -T1 > "${tarball}.tmp" && mv "${tarball}.tmp" "${tarball}"`]);
  const bytes = statSync(tarball).size;
  writeFileSync(join(options.out, "README.txt"), "Draftstop GPU kit: carry this folder (.cache/gpu-kit) and run `sh src/lab/gpu/deviceRun.sh` (docs/gpu.md).\n");
  const seconds = (Date.now() - started) / 1000;
  log(`${tarball}: ${(bytes / MiB).toFixed(2)} MiB in ${seconds.toFixed(0)} s`);
  return {path: tarball, bytes, seconds};
}

/**
 * Unpacks the kit into a temporary folder and runs passcost and a tiny benchmark there on the CPU,
 * with the kit's node and files alone, but for node-llama-cpp's CPU package (linkCpuPackage).
 */
export function check(options: {root: string; out: string; keep?: boolean; cudaBin?: string}): {seconds: number; dir: string} {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "gpu-kit-check-"));
  try {
    run("tar", ["-C", dir, "-xJf", join(options.out, "kit.tar.xz")]);
    const node = join(dir, "bin/node");
    // Only the kit: no repository node_modules on the resolution path, no NODE_PATH, a PATH without this machine's node.
    const env: NodeJS.ProcessEnv = {PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: dir, LANG: "C.UTF-8"};
    const systemNode = run("sh", ["-c", "command -v node || true"], {env}).trim();
    if (systemNode !== "") env.PATH = "/nonexistent"; // tar, xz etc. are not needed past this point
    log(run(node, ["-e", "console.log(process.version, process.execPath)"], {env}).trim());
    log(run(node, [join(dir, "dist/gpu/unpack.js"), dir], {env}).trim());
    if (existsSync(join(dir, "cuda", "manifest.json")) && options.cudaBin && existsSync(join(options.cudaBin, "cuobjdump"))) {
      const list = run(join(options.cudaBin, "cuobjdump"), ["--list-elf", join(dir, CUDA_LIB)]).trim().split("\n");
      const sm90 = list.filter(l => l.endsWith(".sm_90.cubin")).length;
      const ptx = run(join(options.cudaBin, "cuobjdump"), ["--list-ptx", join(dir, CUDA_LIB)]).trim();
      if (sm90 !== list.length || ptx !== "") throw new Error(`cuobjdump: ${list.length} cubins, ${sm90} of them sm_90; PTX: ${ptx.slice(0, 200)}`);
      log(`cuobjdump: ${sm90} sm_90 cubins and no PTX in the restored libggml-cuda.so`);
    }
    linkCpuPackage(options.root, dir);
    const pair = join(options.root, "media/models/tinypair");
    // The tiny pair is tracked in the repository and travels with every device run; deviceRun.sh links it the same way.
    mkdirSync(join(dir, "media/models/tinypair"), {recursive: true});
    for (const f of ["target.gguf", "draft.gguf"]) cpSync(join(pair, f), join(dir, "media/models/tinypair", f));
    const big = join(dir, "big.gguf");
    log(run(node, [join(dir, "dist/gpu/bigTarget.js"), "--source", join(dir, "media/models/tinypair/target.gguf"), "--out", big, "--billions", "0.05", "--blocks", "8"], {env, cwd: dir}).trim());
    log(run(node, [join(dir, "dist/cli/passcost.js"), "--model", big, "--gpu", "off", "--repeats", "1", "--max", "4", "--context", "64"], {env, cwd: dir}).trim());
    const benchOut = run(node, [join(dir, "dist/cli/bench.js"), "--target", big, "--draft", join(dir, "media/models/tinypair/draft.gguf"),
      "--quick", "--count", "1", "--edit-count", "0", "--repeats", "1", "--max-tokens", "8", "--temperatures", "0", "--gpu", "off",
      "--tasks", join(options.root, "src/lab/gpu"), "--json", join(dir, "bench.json")], {env, cwd: dir});
    if (!existsSync(join(dir, "bench.json"))) throw new Error(`the benchmark wrote no JSON:\n${benchOut}`);
    log(`benchmark ran (${benchOut.split("\n").length} lines of output, bench.json ${statSync(join(dir, "bench.json")).size} bytes)`);
    return {seconds: (Date.now() - started) / 1000, dir};
  } finally {
    if (!options.keep) rmSync(dir, {recursive: true, force: true});
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    check: {type: "boolean", default: false}, "no-pack": {type: "boolean", default: false}, "no-cuda": {type: "boolean", default: false},
    "cuda-bin": {type: "string"}, out: {type: "string"}, keep: {type: "boolean", default: false}
  }});
  const root = repoRoot();
  const out = values.out ?? join(root, ".cache", "gpu-kit");
  const build = join(root, ".cache", "gpu-kit-build");
  const given = values["cuda-bin"] ?? process.env.DRAFTSTOP_CUDA_BIN ?? join(build, "cuda", "bin");
  const cudaBin = values["no-cuda"] ? given : ensureCudaTools(given, build, log);
  if (!values["no-pack"]) {
    const cuda = !values["no-cuda"];
    const {bytes} = pack({root, out, cudaBin, cuda});
    const travel = travellingBytes(root);
    log(`the working tree travels with ${(travel / MiB).toFixed(1)} MiB; with the kit ${((travel + bytes) / MiB).toFixed(1)} MiB of ${TRAVEL_LIMIT / MiB}`);
    if (bytes > KIT_LIMIT) throw new Error(`the kit is ${(bytes / MiB).toFixed(1)} MiB, over ${KIT_LIMIT / MiB} MiB`);
    if (travel + bytes > TRAVEL_LIMIT)
      throw new Error(`the kit (${(bytes / MiB).toFixed(1)} MiB) and the working tree (${(travel / MiB).toFixed(1)} MiB) are over the ${TRAVEL_LIMIT / MiB} MiB a device run carries`);
  }
  if (values.check) {
    const {seconds} = check({root, out, keep: values.keep, cudaBin});
    log(`--check passed in ${seconds.toFixed(0)} s`);
  }
}

if (require.main === module) main().catch(error => {
  console.error(`gpu-kit: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
