// Puts mutated GGUF files on disk cheaply. A mutation changes the header region only, so the file
// the header checks read is rewritten in place: the header, and only the part of the tensor data
// that a truncation cut off before (ScratchFile). A file that passes the checks and goes to the
// model process gets a whole copy of its own (writeMutant): llama.cpp maps it, so it must not
// change under the process while it holds the model.
import {closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, writeSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {Mutant} from "./ggufMutations";

/** A folder in memory where there is one: 10 000 header rewrites should not wear a disk. */
export function scratchFolder(): string {
  return mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "draftstop-fuzz-"));
}

/** One file rewritten for each mutant of one source. */
export class ScratchFile {
  private current: {shift: number; length: number} | undefined;

  constructor(readonly path: string, private readonly source: Buffer) {}

  write(mutant: Mutant): void {
    const shift = mutant.tailFrom - mutant.head.length;
    const fd = openSync(this.path, this.current ? "r+" : "w");
    try {
      writeAll(fd, mutant.head, 0);
      // In place (the same shift as what is there): past the head the file already holds the
      // source's bytes, up to the old length.
      const kept = this.current && this.current.shift === shift ? Math.max(mutant.head.length, Math.min(this.current.length, mutant.length)) : mutant.head.length;
      if (kept < mutant.length) writeAll(fd, this.source.subarray(kept + shift, mutant.length + shift), kept);
      ftruncateSync(fd, mutant.length);
      this.current = {shift, length: mutant.length};
    } finally {
      closeSync(fd);
    }
  }
}

/** The whole mutated file at `path`. */
export function writeMutant(path: string, source: Buffer, mutant: Mutant): void {
  const fd = openSync(path, "w");
  try {
    writeAll(fd, mutant.head, 0);
    writeAll(fd, source.subarray(mutant.tailFrom, mutant.tailFrom + mutant.length - mutant.head.length), mutant.head.length);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
