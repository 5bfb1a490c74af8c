// npm run fetch-models (also the first step of npm test): puts SmolLM2-135M into .cache/draftstop/
// once per clone (pip's own cache makes a second clone on the machine fetch nothing). Where it
// cannot, it says why and what to install, and exits 0: the tiny pair still works, and the tests
// that need SmolLM2 fail with the same message.
import {join} from "node:path";
import {ensureSmolLM2, ModelFetchError} from "../modelmaker/smollm2/fetch";
import {repoRoot} from "./repoRoot";

async function main(): Promise<void> {
  try {
    await ensureSmolLM2({cacheDir: join(repoRoot(), ".cache", "draftstop"), log: line => console.log(`[models] ${line}`)});
  } catch (error) {
    if (!(error instanceof ModelFetchError)) throw error;
    console.warn(`[models] SmolLM2-135M is not available: ${error.message}`);
  }
}

void main();
