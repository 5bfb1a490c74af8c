// Model downloads with node-llama-cpp's downloader (ipull underneath): resumable (the partial
// `<file>.ipull` is kept when a download is cancelled or fails, and completed 5 MiB chunks are not
// fetched again), skipped when the file is already complete. Around it, what the downloader lacks:
// - it retries a failing request 150 times up to 5 s apart (~12 minutes) with no way to set that,
//   so the source is probed first and the download fails when no byte arrives for a while;
// - a cancelled download() resolves as if it had finished: the result is checked, not trusted;
// - it takes any file of the right size as complete, and pads (with zeros) or cuts what it receives
//   to the size it first announced: the result is checked against the size the server announces to
//   a HEAD request and against its own GGUF header before it is handed out, and deleted when it fails;
// - on a full disk each failed write also escapes as an unhandled rejection, which would kill the
//   model process: those are caught while a download runs, and free space is checked up front.
import {rm, stat, statfs} from "node:fs/promises";
import {dirname} from "node:path";
import {DraftstopError, ModelFileError} from "../engine/errors";
import {formatBytes} from "../engine/formatBytes";
import {preflightModelFile} from "../engine/ggufPreflight";
import {getBackend} from "../engine/modelPair";
import {loadNodeLlamaCpp, NodeLlamaCppModule} from "../engine/nlc";
import type {Progress} from "../protocol";

type ModelDownloader = Awaited<ReturnType<NodeLlamaCppModule["createModelDownloader"]>>;

const PROGRESS_INTERVAL_MS = 200;

export interface DownloadLimits {
  /** Longest wait for the server to answer at all. Default 15 s. */
  connectMs?: number;
  /** Longest time without a byte before the download is given up (and kept for a resume). Default 30 s. */
  stallMs?: number;
}

const DEFAULT_LIMITS: Required<DownloadLimits> = {connectMs: 15_000, stallMs: 30_000};

export async function downloadModel(uri: string, directory: string, signal: AbortSignal,
  onProgress: (progress: Progress) => void, limits: DownloadLimits = {}): Promise<{path: string; totalBytes: number}> {
  const connectMs = limits.connectMs ?? DEFAULT_LIMITS.connectMs;
  const stallMs = limits.stallMs ?? DEFAULT_LIMITS.stallMs;
  const guard = guardWriteRejections();
  try {
    const {announced, status} = await probe(uri, signal, connectMs);
    const nlc = await loadNodeLlamaCpp();
    // A file already at the path is taken by the downloader on its size alone; when it fails the
    // checks it is deleted and fetched once more.
    for (let attempt = 0; ; attempt++) {
      const activity = {lastAt: Date.now()};
      const downloader = await createDownloader(nlc, uri, directory, signal, connectMs, status, activity, onProgress);
      const reused = downloader.totalSize > 0 && downloader.downloadedSize === downloader.totalSize;
      if (!reused) await checkFreeSpace(uri, downloader);
      await runDownload(uri, downloader, signal, stallMs, activity);
      const problem = await verify(uri, downloader, announced);
      if (!problem) return {path: downloader.entrypointFilePath, totalBytes: downloader.totalSize};
      await Promise.all(downloader.filesInfo.map(file => rm(file.filePath, {force: true})));
      if (!reused || attempt > 0) throw problem;
    }
  } catch (error) {
    throw downloadError(uri, error, signal);
  } finally {
    guard.release();
  }
}

/**
 * One request before the downloader starts: it fails in milliseconds when the host is unreachable
 * (the downloader would retry for minutes) and learns the size the server announces. hf: URIs are
 * resolved by node-llama-cpp, so only their host is probed.
 */
async function probe(uri: string, signal: AbortSignal, connectMs: number): Promise<{announced?: number; status?: number}> {
  const url = /^https?:\/\//i.test(uri) ? uri : huggingFaceEndpoint(uri);
  if (!url) return {};
  let response: Response;
  try {
    response = await fetch(url, {method: "HEAD", headers: {"Accept-Encoding": "identity"},
      signal: AbortSignal.any([signal, AbortSignal.timeout(connectMs)])});
  } catch (error) {
    const cause = (error as {cause?: {code?: string; message?: string}})?.cause;
    const timedOut = (error as Error)?.name === "TimeoutError";
    if (signal.aborted || (!timedOut && !cause)) throw error; // not a network failure
    const why = timedOut ? `no answer within ${connectMs / 1000} s` : cause?.code ?? cause?.message;
    throw new DraftstopError(`download of ${uri} failed: cannot reach ${new URL(url).host} (${why}). ` +
      "Check the URI and the network connection", "download.failed", {cause: error});
  }
  if (url === uri && (response.status === 404 || response.status === 410))
    throw new DraftstopError(`download of ${uri} failed: the server has no such file (HTTP ${response.status}). Check the URI`, "download.failed");
  const length = Number(response.headers.get("content-length"));
  const exact = url === uri && response.ok && !response.headers.get("content-encoding") && length > 0;
  return {announced: exact ? length : undefined, status: response.status};
}

/** The Hugging Face endpoint node-llama-cpp uses for hf: URIs (same environment variables). */
function huggingFaceEndpoint(uri: string): string | undefined {
  if (!/^(hf|huggingface):/i.test(uri) && !/^(hf\.co|huggingface\.co)\//i.test(uri)) return undefined;
  const configured = [process.env.MODEL_ENDPOINT, process.env.HF_ENDPOINT].find(e => e && /^https?:\/\//i.test(e));
  return configured ?? "https://huggingface.co/";
}

/**
 * createModelDownloader fetches the file's size, retrying server errors for minutes: it gets
 * connectMs (the probe just reached the host). Given up, it goes on retrying in the background
 * until ipull's retries run out; nothing can stop it, but nothing waits for it either.
 */
async function createDownloader(nlc: NodeLlamaCppModule, uri: string, directory: string, signal: AbortSignal,
  connectMs: number, probeStatus: number | undefined, activity: {lastAt: number},
  onProgress: (progress: Progress) => void): Promise<ModelDownloader> {
  let lastReport = 0;
  const creating = nlc.createModelDownloader({
    modelUri: uri,
    dirPath: directory,
    showCliProgress: false,
    skipExisting: true,
    deleteTempFileOnCancel: false,
    onProgress: ({totalSize, downloadedSize}) => {
      activity.lastAt = Date.now();
      if (activity.lastAt - lastReport < PROGRESS_INTERVAL_MS && downloadedSize < totalSize) return;
      lastReport = activity.lastAt;
      onProgress({done: downloadedSize, total: totalSize});
    }
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    const answered = probeStatus !== undefined && probeStatus >= 400 ? ` (it answers HTTP ${probeStatus})` : "";
    timer = setTimeout(() => reject(new DraftstopError(`download of ${uri} failed: the server did not describe the file within ` +
      `${connectMs / 1000} s${answered}. Check the URI and try again later`, "download.failed")), connectMs);
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, {once: true});
  });
  try {
    return await Promise.race([creating, gaveUp]);
  } catch (error) {
    creating.then(downloader => downloader.cancel(), () => undefined); // it may still finish later
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort!);
  }
}

/** Fails before the first byte when the disk cannot hold what is left to fetch. */
async function checkFreeSpace(uri: string, downloader: ModelDownloader): Promise<void> {
  if (!(downloader.totalSize > 0)) return;
  const files = downloader.filesInfo;
  // ipull writes into `<file>.ipull` at the chunks' offsets: count the blocks it really holds.
  const held = await Promise.all(files.map(f => stat(`${f.filePath}.ipull`).then(s => s.blocks * 512, () => 0)));
  const needed = downloader.totalSize - held.reduce((a, b) => a + b, 0);
  const disk = await statfs(dirname(files[0]!.filePath));
  const free = disk.bavail * disk.bsize;
  if (free < needed) throw diskFull(uri, `it needs ${formatBytes(needed)} and ${formatBytes(free)} are free`);
}

/** download() with a watchdog: no byte for stallMs cancels it (the partial file stays for a resume). */
async function runDownload(uri: string, downloader: ModelDownloader, signal: AbortSignal, stallMs: number,
  activity: {lastAt: number}): Promise<void> {
  activity.lastAt = Date.now();
  let stalled = false;
  const watchdog = setInterval(() => {
    if (Date.now() - activity.lastAt < stallMs) return;
    stalled = true;
    void downloader.cancel();
  }, Math.min(1000, stallMs / 4));
  let failure: {error: unknown} | undefined;
  try {
    await downloader.download({signal});
  } catch (error) {
    failure = {error};
    await downloader.cancel().catch(() => undefined); // the other parallel streams would go on
  } finally {
    clearInterval(watchdog);
  }
  // A cancelled download() resolves as if it had finished.
  if (signal.aborted) throw signal.reason;
  if (stalled)
    throw new DraftstopError(`download of ${uri} failed: no data arrived for ${stallMs / 1000} s. Check the network connection; ` +
      "the partial file is kept and the download resumes next time", "download.failed", {cause: failure?.error});
  if (failure) throw failure.error;
}

/** The downloaded files against the sizes announced and the GGUF header; undefined when all is well. */
async function verify(uri: string, downloader: ModelDownloader, announced: number | undefined): Promise<DraftstopError | undefined> {
  const files = downloader.filesInfo;
  for (const file of files) {
    const actual = await stat(file.filePath).then(s => s.size, () => undefined);
    if (actual === undefined) return new DraftstopError(`download of ${uri} failed: ${file.filePath} is missing after the download`, "download.failed");
    const expected = files.length === 1 && announced !== undefined ? announced : file.totalSize;
    if (expected > 0 && actual !== expected) return wrongSize(uri, file.filePath, `expected ${expected} bytes, got ${actual}`);
  }
  try {
    await preflightModelFile(downloader.entrypointFilePath, undefined, await getBackend(false, 1));
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    const detail = error.message.replace(`model ${error.path}: `, "").replace(/; download it again$/, "");
    if (error.problem === "truncated") return wrongSize(uri, error.path, detail, error);
    return new DraftstopError(`download of ${uri} is not a usable model (${detail}); ${error.path} was deleted`, "download.corrupt", {cause: error});
  }
  return undefined;
}

function wrongSize(uri: string, path: string, detail: string, cause?: unknown): DraftstopError {
  return new DraftstopError(`download of ${uri} gave a file of the wrong size (${detail}); ${path} was deleted. ` +
    "Run the download again; if it keeps failing the source is broken", "download.wrongSize", {cause});
}

function diskFull(uri: string, detail: string, cause?: unknown): DraftstopError {
  return new DraftstopError(`download of ${uri} failed: the disk is full (${detail}). Free some space or set ` +
    "draftstop.modelDirectory to a folder on another disk; a partial file is kept and the download resumes", "download.diskFull", {cause});
}

function downloadError(uri: string, error: unknown, signal: AbortSignal): DraftstopError {
  if (error instanceof DraftstopError) return error;
  const e = error as NodeJS.ErrnoException;
  if (signal.aborted) return new DraftstopError(`download of ${uri} cancelled; run it again to resume`, "download.cancelled", {cause: error});
  if (e?.code === "ENOSPC") return diskFull(uri, "no space left on device", error);
  return new DraftstopError(`download of ${uri} failed: ${e?.message ?? error}. Check the URI and the network; ` +
    "a partial download resumes next time", "download.failed", {cause: error});
}

/**
 * ipull leaves the promise of every write it starts unhandled; when writes fail (ENOSPC) each one
 * becomes an unhandled rejection, and Node ends the process on the first. While downloads run,
 * failed file writes are dropped here (the download itself fails with the same error); anything
 * else is rethrown, as Node would. Writes still in flight settle shortly after the download ends.
 */
let activeGuards = 0;
const WRITE_SETTLE_MS = 2_000;

function onUnhandledRejection(reason: unknown): void {
  if ((reason as NodeJS.ErrnoException)?.syscall === "write") return;
  // Not a write: do what Node does without a listener, unless another listener decides.
  if (process.listenerCount("unhandledRejection") === 1) throw reason;
}

function guardWriteRejections(): {release(): void} {
  if (activeGuards++ === 0) process.on("unhandledRejection", onUnhandledRejection);
  return {
    release: () => {
      setTimeout(() => {
        if (--activeGuards === 0) process.off("unhandledRejection", onUnhandledRejection);
      }, WRITE_SETTLE_MS).unref();
    }
  };
}
