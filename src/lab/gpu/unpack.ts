// Run by the kit's own node right after the kit is untarred (src/lab/gpu/deviceRun.sh, kit --check):
// writes the sm_90 cubins back into the host-only libggml-cuda.so, one fat binary per slot, with
// the fatbinary tool the kit carries (CUDA 13's own; uncompressed where the cubin fits its slot,
// zstd-compressed where it does not), then checks that every slot holds exactly one sm_90 cubin.
//
// node dist/gpu/unpack.js KIT_DIR
import {execFileSync} from "node:child_process";
import {existsSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {patchFatbin, readFatbins, targetCounts} from "./fatbin";

export interface SlotRecord {
  index: number;
  offset: number;
  slot: number;
}

export interface CudaManifest {
  /** Path of libggml-cuda.so inside the kit. */
  library: string;
  sm: number;
  slots: SlotRecord[];
}

export function restoreCudaLibrary(kitDir: string): {fatbins: number; targets: Record<string, number>; compressed: number; seconds: number} {
  const started = Date.now();
  const manifest = JSON.parse(readFileSync(join(kitDir, "cuda", "manifest.json"), "utf8")) as CudaManifest;
  const libPath = join(kitDir, manifest.library);
  const lib = readFileSync(libPath);
  const fatbinary = join(kitDir, "cuda", "fatbinary");
  const tmp = join(kitDir, "cuda", "tmp.fatbin");
  let compressed = 0;
  for (const slot of manifest.slots) {
    const cubin = join(kitDir, "cuda", "cubins", `tu${slot.index}.cubin`);
    if (!existsSync(cubin)) throw new Error(`kit: ${cubin} is missing`);
    const fits = statSync(cubin).size + 128 <= slot.slot;
    if (!fits) compressed++;
    execFileSync(fatbinary, [`--create=${tmp}`, `--image3=kind=elf,sm=${manifest.sm},file=${cubin}`, fits ? "--compress-mode=none" : "--compress-all"]);
    patchFatbin(lib, slot, readFileSync(tmp));
  }
  rmSync(tmp, {force: true});
  const {fatbins} = readFatbins(lib);
  const targets = targetCounts(fatbins);
  if (fatbins.length !== manifest.slots.length || Object.keys(targets).length !== 1 || targets[`elf${manifest.sm}`] !== manifest.slots.length)
    throw new Error(`kit: the patched library holds ${fatbins.length} fat binaries with ${JSON.stringify(targets)}`);
  writeFileSync(libPath, lib);
  return {fatbins: fatbins.length, targets, compressed, seconds: (Date.now() - started) / 1000};
}

if (require.main === module) {
  try {
    const kitDir = process.argv[2] ?? join(__dirname, "..", "..");
    if (!existsSync(join(kitDir, "cuda", "manifest.json"))) console.log("kit: no CUDA backend in this kit (CPU only)");
    else console.log(`kit: CUDA library restored ${JSON.stringify(restoreCudaLibrary(kitDir))}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
