// Runs Draftstop's extension-host suite files on the test models, in a fresh temporary workspace.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {tinyPairPaths} from "../../src/lab/cli/tinyPair";
import {runExtensionTests} from "./runExtensionTests";

/** The tiny trained pair that ships with the repository, or the models DRAFTSTOP_TEST_TARGET / _DRAFT name. */
export function testModels(): {target: string; draft: string} {
  return process.env.DRAFTSTOP_TEST_TARGET && process.env.DRAFTSTOP_TEST_DRAFT
    ? {target: process.env.DRAFTSTOP_TEST_TARGET, draft: process.env.DRAFTSTOP_TEST_DRAFT}
    : tinyPairPaths();
}

export interface SuiteRun {
  /** Which suite files: ".suite.js" (the default) or ".reliability.js". */
  files?: string;
  /** Extra environment for the extension host; gets the workspace folder. */
  env?: (workspace: string) => Record<string, string>;
  log?: (line: string) => void;
}

/** Resolves with the suite's exit code. */
export async function runDraftstopSuite(run: SuiteRun = {}): Promise<number> {
  const root = repoRoot();
  const models = testModels();
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-workspace-"));
  try {
    return await runExtensionTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, "out", "test", "vscode", "suite", "index.js"),
      workspace,
      // A line shown by its words so far when it is slow (partialLineAfterMs) depends on the
      // machine's speed: off, so that what a test sees is the whole completion (prefetch.suite.ts
      // turns it on where it tests it).
      settings: {"draftstop.targetModel": models.target, "draftstop.draftModel": models.draft, "draftstop.threads": 1, "draftstop.partialLineAfterMs": 0},
      env: {
        DRAFTSTOP_TEST_TARGET: models.target, DRAFTSTOP_TEST_DRAFT: models.draft,
        ...(run.files ? {DRAFTSTOP_SUITE_FILES: run.files} : {}), ...run.env?.(workspace)
      },
      log: run.log
    });
  } finally {
    await fs.rm(workspace, {recursive: true, force: true});
  }
}
