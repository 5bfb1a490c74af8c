// The layer rules in .dependency-cruiser.cjs catch what they are for: a tree with one planted
// violation of each kind fails the same command `npm run check:layers` runs on src/.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";

/** Runs the check as `npm run check:layers` does; returns its exit status and the rules it reported. */
function cruise(cwd: string): {status: number | null; violations: string[]} {
  const root = repoRoot();
  const run = spawnSync(process.execPath, [join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs"), "src",
    "--config", join(root, ".dependency-cruiser.cjs"), "--output-type", "err"], {cwd, encoding: "utf8", timeout: 60_000});
  assert.ok(run.stdout, `dependency-cruiser printed nothing: ${run.stderr}`);
  return {status: run.status, violations: [...run.stdout.matchAll(/^\s*error (\S+):/gm)].map(m => m[1]!)};
}

describe("layer rules (dependency-cruiser)", function () {
  this.timeout(120_000);
  let dir: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), {recursive: true});
    writeFileSync(join(dir, path), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-layers-"));
    write("tsconfig.json", JSON.stringify({compilerOptions: {module: "node16", moduleResolution: "node16", strict: true}}));
    write("src/engine/round.ts", "export const round = 1;\n");
    write("src/protocol.ts", "import {round} from './engine/round';\nexport const message = round;\n");
    write("src/extension/ui/statusText.ts", "export const text = 'ok';\n");
    write("src/extension/session/engineSession.ts", "import {round} from '../../engine/round';\nimport {message} from '../../protocol';\nexport const session = round + message;\n");
    write("src/modelProcess/engineHost.ts", "import {message} from '../protocol';\nexport const host = message;\n");
    write("src/lab/cli/demo.ts", "import {host} from '../../modelProcess/engineHost';\nexport const demo = host;\n");
    write("test/fixtures/model.ts", "export const model = 2;\n");
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it("passes a tree whose imports point down", () => {
    const result = cruise(dir);
    assert.deepEqual(result.violations, []);
    assert.equal(result.status, 0);
  });

  const planted: Array<[string, string, Record<string, string>]> = [
    ["a back-import (session → ui)", "layer-extension/session", {"src/extension/session/status.ts": "import {text} from '../ui/statusText';\nexport const s = text;\n"}],
    ["engine importing anything above it", "layer-engine", {"src/engine/state.ts": "import {session} from '../extension/session/engineSession';\nexport const s = session;\n"}],
    ["the extension importing the model process", "layer-extension/session", {"src/extension/session/fork.ts": "import {host} from '../../modelProcess/engineHost';\nexport const f = host;\n"}],
    ["the model process importing the extension", "layer-modelProcess", {"src/modelProcess/status.ts": "import {text} from '../extension/ui/statusText';\nexport const s = text;\n"}],
    ["product code importing a test fixture", "src-never-imports-test", {"src/lab/cli/tinyPair.ts": "import {model} from '../../../test/fixtures/model';\nexport const m = model;\n"}],
    ["a plain-Node layer reaching vscode through an import", "plain-node-never-imports-vscode", {
      "src/extension/settings/settings.ts": "import * as vscode from 'vscode';\nexport const settings = vscode;\n",
      "src/extension/settings/engineOptions.ts": "import {settings} from './settings';\nexport const o = settings;\n"
    }],
    ["the product importing the lab", "product-never-imports-lab", {
      "src/lab/cli/tool.ts": "export const tool = 3;\n",
      "src/extension/ui/toolButton.ts": "import {tool} from '../../lab/cli/tool';\nexport const b = tool;\n"
    }],
    ["a file in no layer", "every-file-in-a-layer", {"src/attic/old.ts": "import {round} from '../engine/round';\nexport const o = round;\n"}],
    ["an import cycle", "no-circular", {
      "src/engine/a.ts": "import {b} from './b';\nexport const a = () => b;\n",
      "src/engine/b.ts": "import {a} from './a';\nexport const b = () => a;\n"
    }],
    ["two engine folders importing each other (no file cycle)", "no-circular-folders", {
      "src/engine/decoding/round.ts": "import {plan} from '../drafting/plan';\nexport const round = plan;\n",
      "src/engine/drafting/plan.ts": "export const plan = 1;\n",
      "src/engine/drafting/gain.ts": "import {stop} from '../decoding/stop';\nexport const gain = stop;\n",
      "src/engine/decoding/stop.ts": "export const stop = 2;\n"
    }],
    ["an import cycle in the lab's GPU kit", "no-circular", {
      "src/lab/gpu/a.ts": "import {b} from './b';\nexport const a = () => b;\n",
      "src/lab/gpu/b.ts": "import {a} from './a';\nexport const b = () => a;\n"
    }]
  ];
  for (const [what, rule, files] of planted)
    it(`fails on ${what}`, () => {
      for (const [path, text] of Object.entries(files)) write(path, text);
      const result = cruise(dir);
      assert.notEqual(result.status, 0, "the check must fail");
      assert.ok(result.violations.some(v => v === rule), `expected ${rule}, got ${JSON.stringify(result.violations)}`);
    });
});
