// Model downloads with node-llama-cpp's downloader: resumable (the partial file is kept when a
// download is cancelled or fails), skipped when the file is already complete.
import {DraftstopError} from "../engine/errors";
import {loadNodeLlamaCpp} from "../engine/nlc";
import type {Progress} from "./protocol";

const PROGRESS_INTERVAL_MS = 200;

export async function downloadModel(uri: string, directory: string, signal: AbortSignal,
  onProgress: (progress: Progress) => void): Promise<{path: string; totalBytes: number}> {
  const nlc = await loadNodeLlamaCpp();
  let lastReport = 0;
  try {
    const downloader = await nlc.createModelDownloader({
      modelUri: uri,
      dirPath: directory,
      showCliProgress: false,
      skipExisting: true,
      deleteTempFileOnCancel: false,
      onProgress: ({totalSize, downloadedSize}) => {
        const now = Date.now();
        if (now - lastReport < PROGRESS_INTERVAL_MS && downloadedSize < totalSize) return;
        lastReport = now;
        onProgress({done: downloadedSize, total: totalSize});
      }
    });
    const path = await downloader.download({signal});
    return {path, totalBytes: downloader.totalSize};
  } catch (error) {
    throw downloadError(uri, error, signal);
  }
}

function downloadError(uri: string, error: unknown, signal: AbortSignal): DraftstopError {
  const e = error as NodeJS.ErrnoException;
  if (signal.aborted) return new DraftstopError(`download of ${uri} cancelled; run it again to resume`, "download.cancelled", {cause: error});
  if (e?.code === "ENOSPC")
    return new DraftstopError(`download of ${uri} failed: the disk is full. Free some space or set draftstop.modelDirectory to another disk; ` +
      "the partial file is kept and the download resumes", "download.diskFull", {cause: error});
  return new DraftstopError(`download of ${uri} failed: ${e?.message ?? error}. Check the URI and the network; ` +
    "a partial download resumes next time", "download.failed", {cause: error});
}
