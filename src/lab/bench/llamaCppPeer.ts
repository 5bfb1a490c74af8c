// llama.cpp's own speculative decoding as a benchmark peer: the examples built from the very
// llama.cpp source that node-llama-cpp ships (npm run build:llamacpp), run as child processes, so
// Draftstop's figures can be set beside what the same kernels give without Draftstop's policies.
//
// The peer is llama-speculative-simple, not llama-speculative: it drafts through common/speculative
// (the code llama-server uses), so --spec-draft-n-min and --spec-draft-p-min mean what they mean in
// the server. llama-speculative is the older tree drafter; it reads only the draft length and the
// branch-split probability and silently ignores n-min and p-min, so a sweep over them would sweep
// nothing. Both print the same summary, so one parser serves both.
import {spawn} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import path from "node:path";

export type LlamaCppProgram = "llama-speculative-simple" | "llama-speculative" | "llama-completion";
/** What npm run build:llamacpp builds: the peer, the tree drafter, and a target-only decoder. */
export const LLAMA_CPP_PROGRAMS: readonly LlamaCppProgram[] = ["llama-speculative-simple", "llama-speculative", "llama-completion"];

export interface LlamaCppLayout {
  /** The clone of node-llama-cpp's llama.cpp bundle. */
  source: string;
  build: string;
  /** Where CMake puts the executables (llama.cpp sets CMAKE_RUNTIME_OUTPUT_DIRECTORY to build/bin). */
  bin: string;
  /** Written after each checkout; a build older than it was built from other source. */
  checkoutStamp: string;
  /** The CMake options of the last configure, so a changed option list reconfigures. */
  configureStamp: string;
  /** Written after a build succeeds. make leaves binaries untouched when nothing changed, so their own times cannot say whether a build ran after the checkout. */
  buildStamp: string;
}

export function llamaCppLayout(root: string): LlamaCppLayout {
  const base = path.join(root, ".cache", "llama-cpp");
  return {
    source: path.join(base, "src"),
    build: path.join(base, "build"),
    bin: path.join(base, "build", "bin"),
    checkoutStamp: path.join(base, "checkout.json"),
    configureStamp: path.join(base, "configure.json"),
    buildStamp: path.join(base, "build.json")
  };
}

export function llamaCppProgramPath(layout: LlamaCppLayout, program: LlamaCppProgram): string {
  return path.join(layout.bin, process.platform === "win32" ? `${program}.exe` : program);
}

// src/lab/cli/repoRoot.ts does this too, but src/lab/cli imports src/lab/bench, and the layer rules
// (.dependency-cruiser.cjs) forbid the way back.
function draftstopRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    try {
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "draftstop") return dir;
    } catch {
      // an unreadable package.json is not ours; keep looking further up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The built peer (by default llama-speculative-simple) under the repository's .cache, or undefined when it is not built. */
export function llamaCppSpeculativeBinary(program: LlamaCppProgram = "llama-speculative-simple", root?: string): string | undefined {
  const base = root ?? draftstopRoot(__dirname);
  if (base === undefined) return undefined;
  const binary = llamaCppProgramPath(llamaCppLayout(base), program);
  return existsSync(binary) ? binary : undefined;
}

export interface LlamaCppSpeculativeResult {
  /**
   * Tokens the target produced ("decoded N tokens"). Up to draftMax + 1 more than maxTokens: the
   * example caps the last drafts at the tokens still wanted, but a cap of 0 reads as "no cap" in
   * common/speculative, so the final round drafts a full draftMax.
   */
  tokens: number;
  /** Wall time of the generation loop: drafting, verification, sampling and printing; prompt evaluation excluded. */
  decodeMs: number;
  /** Draft tokens proposed to the target (n_drafted). */
  drafted: number;
  /** Of those, tokens the target accepted (n_accept). */
  accepted: number;
  /** Prompt tokens as llama.cpp tokenized them (a check on how special tokens were parsed). */
  promptTokens: number;
  /** Prompt evaluation on both models ("encoded ... in"). */
  promptMs: number;
  /** Everything the process wrote: stdout (the prompt and the generated text), then stderr (the log and the summary). */
  raw: string;
}

export interface LlamaCppTargetOnlyOptions {
  binary: string;
  target: string;
  /** Tokenized by the example with parse_special on, so "<|fim_prefix|>" becomes the special token where the vocabulary has one. */
  promptText: string;
  maxTokens: number;
  temperature: number;
  seed: number;
  /** Threads for each model, in generation and in batch passes alike. */
  threads: number;
  contextSize: number;
  topK?: number;
  topP?: number;
  /** Keep decoding past end-of-generation tokens, so every run decodes maxTokens (default false). */
  ignoreEos?: boolean;
}

/** A speculative run: everything a target-only run takes, plus the draft and its settings. */
export interface LlamaCppSpeculativeOptions extends LlamaCppTargetOnlyOptions {
  draft: string;
  draftMax: number;
  draftMin: number;
  draftPMin: number;
}

export interface LlamaCppTargetOnlyResult {
  /** Single-token target passes after the prompt ("eval time = ... / N runs"). */
  tokens: number;
  /** Time in those passes plus the sampler's time: the target-only counterpart of decodeMs. */
  decodeMs: number;
  /** Time in the passes alone, without sampling. */
  evalMs: number;
  promptTokens: number;
  promptMs: number;
  raw: string;
}

function tail(raw: string): string {
  return raw.split("\n").slice(-15).join("\n");
}

// llama.cpp's log lines start with a timestamp and a level ("0.00.538.330 I decoded ..."), and
// the generated text is echoed to the same output, so each figure is taken from the last line
// that has its exact wording through to the end of the line.
function lastMatch(raw: string, pattern: RegExp, what: string): RegExpExecArray {
  let last: RegExpExecArray | null = null;
  for (const match of raw.matchAll(new RegExp(pattern.source, "gm"))) last = match as RegExpExecArray;
  if (!last) throw new LlamaCppOutputError(`llama.cpp's output has no ${what}; last lines:\n${tail(raw)}`);
  return last;
}

/** A run that ended well but whose printed figures are missing or unreadable. */
export class LlamaCppOutputError extends Error {}

/** The summary that llama-speculative and llama-speculative-simple print at exit. */
export function parseLlamaCppSpeculativeOutput(raw: string): Omit<LlamaCppSpeculativeResult, "raw"> {
  const decoded = lastMatch(raw, /^.*\bdecoded +(\d+) tokens in +([\d.]+) seconds, speed: +\S+ t\/s\r?$/, "\"decoded N tokens in S seconds\" line");
  const encoded = lastMatch(raw, /^.*\bencoded +(\d+) tokens in +([\d.]+) seconds, speed: +\S+ t\/s\r?$/, "\"encoded N tokens in S seconds\" line");
  return {
    tokens: Number(decoded[1]),
    decodeMs: Number(decoded[2]) * 1000,
    drafted: Number(lastMatch(raw, /^.*\bn_drafted += (\d+)\r?$/, "n_drafted")[1]),
    accepted: Number(lastMatch(raw, /^.*\bn_accept += (\d+)\r?$/, "n_accept")[1]),
    promptTokens: Number(encoded[1]),
    promptMs: Number(encoded[2]) * 1000
  };
}

/** The target's perf block that llama-completion prints at exit (common_perf_print). */
export function parseLlamaCompletionOutput(raw: string): Omit<LlamaCppTargetOnlyResult, "raw"> {
  const evalLine = lastMatch(raw, /^.*\bcommon_perf_print: +eval time = +([\d.]+) ms \/ +(\d+) runs/, "common_perf_print eval time");
  const promptLine = lastMatch(raw, /^.*\bcommon_perf_print: prompt eval time = +([\d.]+) ms \/ +(\d+) tokens/, "common_perf_print prompt eval time");
  const samplingMs = Number(lastMatch(raw, /^.*\bcommon_perf_print: +sampling time = +([\d.]+) ms\r?$/, "common_perf_print sampling time")[1]);
  const evalMs = Number(evalLine[1]);
  return {tokens: Number(evalLine[2]), evalMs, decodeMs: evalMs + samplingMs, promptTokens: Number(promptLine[2]), promptMs: Number(promptLine[1])};
}

function samplingArgs(options: {maxTokens: number; temperature: number; seed: number; threads: number; contextSize: number; topK?: number; topP?: number; ignoreEos?: boolean}): string[] {
  // Thread counts are always given: llama.cpp's default is every core, which on a small machine
  // puts the two models' threads on top of each other and measures contention instead of decoding.
  const args = [
    "-n", String(options.maxTokens), "--temp", String(options.temperature), "-s", String(options.seed),
    "-t", String(options.threads), "-tb", String(options.threads), "-c", String(options.contextSize),
    "--log-colors", "off"
  ];
  if (options.topK !== undefined) args.push("--top-k", String(options.topK));
  if (options.topP !== undefined) args.push("--top-p", String(options.topP));
  if (options.ignoreEos) args.push("--ignore-eos");
  return args;
}

async function withPromptFile<T>(promptText: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "draftstop-llamacpp-"));
  try {
    const file = path.join(dir, "prompt.txt");
    // -f drops one trailing newline from the file; the added one is what it drops, so the prompt
    // reaches the tokenizer exactly as given, trailing newline included.
    writeFileSync(file, promptText + "\n");
    return await use(file);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

function runProcess(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {stdio: ["ignore", "pipe", "pipe"]});
    const stdout: Buffer[] = [], stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      // Not interleaved: the text (stdout) could otherwise split a log line (stderr) in two, and
      // with the log last, the summary is the last thing in raw.
      const raw = Buffer.concat(stdout).toString("utf8") + "\n" + Buffer.concat(stderr).toString("utf8");
      if (code === 0) resolve(raw);
      else reject(new Error(`${path.basename(binary)} exited with ${signal ?? code}: ${args.join(" ")}\n${tail(raw)}`));
    });
  });
}

// llama.cpp's logger is deliberately never destroyed (so that Windows does not hang at DLL
// teardown, llama.cpp issue 22142), so whatever its thread has not yet written when main returns is
// lost. Here about one run in ten lost its whole summary, exit status 0. The figures exist only in
// that output, so such a run is repeated.
const ATTEMPTS = 4;

async function runAndParse<T>(binary: string, args: string[], parse: (raw: string) => T): Promise<T & {raw: string}> {
  for (let attempt = 1; ; attempt++) {
    const raw = await runProcess(binary, args);
    try {
      return {...parse(raw), raw};
    } catch (error) {
      if (!(error instanceof LlamaCppOutputError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** One speculative completion by llama-speculative-simple (or llama-speculative) and its summary figures. */
export async function runLlamaCppSpeculative(options: LlamaCppSpeculativeOptions): Promise<LlamaCppSpeculativeResult> {
  return withPromptFile(options.promptText, (file) => runAndParse(options.binary, [
    "-m", options.target, "-md", options.draft, "-f", file, ...samplingArgs(options),
    "-td", String(options.threads), "-tbd", String(options.threads),
    // Without an explicit type, llama-speculative-simple infers none from a plain GGUF draft and
    // refuses to start; llama-speculative accepts the option and has no use for it.
    "--spec-type", "draft-simple",
    "--spec-draft-n-max", String(options.draftMax), "--spec-draft-n-min", String(options.draftMin),
    "--spec-draft-p-min", String(options.draftPMin)
  ], parseLlamaCppSpeculativeOutput));
}

/** One target-only completion by llama-completion, the baseline for the peer's speedup. */
export async function runLlamaCppTargetOnly(options: LlamaCppTargetOnlyOptions): Promise<LlamaCppTargetOnlyResult> {
  // -no-cnv: a model with a chat template would otherwise be wrapped in it and wait for input.
  return withPromptFile(options.promptText, (file) => runAndParse(options.binary,
    ["-m", options.target, "-f", file, ...samplingArgs(options), "-no-cnv", "--no-display-prompt"], parseLlamaCompletionOutput));
}
