// What a learned calibration is keyed by: the two models' contents, not their paths, so that a
// moved file keeps its calibration and a different file with the same name never inherits one.
// Hashing whole multi-gigabyte models at every load would cost seconds, so each model is
// identified by its size and the SHA-256 of its first and last MiB (the GGUF header with its
// metadata and tensor table, and the last tensor's data).
import {createHash} from "node:crypto";
import {closeSync, fstatSync, openSync, readSync} from "node:fs";

const SPAN = 1 << 20;

export function modelIdentity(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const hash = createHash("sha256").update(`${size}:`);
    const read = (offset: number) => {
      const buffer = Buffer.alloc(Math.min(SPAN, size - offset));
      let done = 0;
      while (done < buffer.length) {
        const n = readSync(fd, buffer, done, buffer.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      hash.update(buffer.subarray(0, done));
    };
    read(0);
    if (size > SPAN) read(Math.max(SPAN, size - SPAN));
    return hash.digest("hex").slice(0, 32);
  } finally {
    closeSync(fd);
  }
}

export function pairIdentity(targetPath: string, draftPath: string | undefined): string {
  return createHash("sha256").update(`${modelIdentity(targetPath)}+${draftPath ? modelIdentity(draftPath) : "none"}`).digest("hex").slice(0, 32);
}
