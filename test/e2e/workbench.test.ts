// The packaged extension in a real workbench: package a VSIX, install it into code-server, open a
// TypeScript file in headless Chromium, run draftstop.hello (which loads node-llama-cpp from the
// VSIX) and check the status bar. Leaves test-results/e2e-hello.png.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {packageVsix} from "../../src/cli/vsix";
import {openWorkbench, type Workbench} from "./workbench";

describe("e2e: packaged extension in code-server", function () {
  this.timeout(10 * 60_000); // a first run installs code-server (~2 minutes); a warm run takes ~1 minute
  let tmp: string;
  let workbench: Workbench | undefined;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "draftstop-e2e-test-"));
    await fs.mkdir(path.join(tmp, "workspace"));
    await fs.writeFile(path.join(tmp, "workspace", "sample.ts"), "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
  });
  after(async () => {
    await workbench?.close();
    await fs.rm(tmp, {recursive: true, force: true});
  });

  it("loads node-llama-cpp from the VSIX when draftstop.hello runs", async () => {
    const vsix = await packageVsix({out: path.join(tmp, "draftstop.vsix"), log: () => undefined});
    workbench = await openWorkbench({vsix: vsix.path, workspace: path.join(tmp, "workspace")});
    await workbench.openFile("sample.ts");
    await workbench.runCommand("Draftstop: Hello");
    const loaded = async () => /^Draftstop: llama \w+/.test(await workbench!.statusBarText("draftstop.status"));
    await waitFor(loaded, 30_000).catch(async (error: Error) => {
      const screenshot = await workbench!.screenshot("e2e-hello-failed");
      throw new Error(`${error.message}: the status bar shows "${await workbench!.statusBarText("draftstop.status")}" (see ${screenshot})`);
    });
    await workbench.screenshot("e2e-hello");
    assert.equal(await workbench.statusBarText("draftstop.status"), "Draftstop: llama prebuilt");
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
