// The CUDA tools the kit needs here (ptxas and fatbinary of CUDA ≥ 13.1, cuobjdump), fetched by
// name and version with pip into the build folder when they are missing: this machine has no CUDA
// toolkit. 13.1 because the PTX node-llama-cpp ships is ISA 9.1, which 13.0's ptxas refuses
// (docs/gpu.md); cuobjdump's wheel has no 13.1 release, and 13.2's reads the same files.
import {execFileSync} from "node:child_process";
import {chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync} from "node:fs";
import {join} from "node:path";

export const CUDA_TOOL_WHEELS = ["nvidia-cuda-nvcc==13.1.80", "nvidia-cuda-cuobjdump==13.2.51"];
const TOOLS = ["ptxas", "fatbinary", "cuobjdump"];

/** A folder holding ptxas, fatbinary and cuobjdump: `bin` if it has them, else one made from the wheels under `build`. */
export function ensureCudaTools(bin: string, build: string, log: (message: string) => void): string {
  if (TOOLS.every(tool => existsSync(join(bin, tool)))) return bin;
  const wheels = join(build, "wheels"), unpacked = join(build, "wheels-unpacked"), made = join(build, "cuda", "bin");
  mkdirSync(wheels, {recursive: true});
  mkdirSync(made, {recursive: true});
  log(`fetching ${CUDA_TOOL_WHEELS.join(", ")} with pip`);
  execFileSync("python3", ["-m", "pip", "download", "--no-deps", "--quiet", "-d", wheels, ...CUDA_TOOL_WHEELS], {stdio: "inherit"});
  for (const wheel of readdirSync(wheels).filter(name => name.endsWith(".whl")))
    execFileSync("python3", ["-m", "zipfile", "-e", join(wheels, wheel), unpacked], {stdio: "inherit"});
  const toolBin = join(unpacked, "nvidia", "cu13", "bin");
  for (const tool of TOOLS) {
    const from = join(toolBin, tool);
    if (!existsSync(from)) throw new Error(`${tool} is not in the wheels ${CUDA_TOOL_WHEELS.join(", ")} (looked in ${toolBin})`);
    chmodSync(from, 0o755); // zipfile drops the execute bit
    if (!existsSync(join(made, tool))) symlinkSync(from, join(made, tool));
  }
  return made;
}
