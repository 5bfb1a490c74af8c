// npm start: a real VS Code on this machine with Draftstop installed and set to the tiny demo pair.
// Builds and packages the extension, installs code-server 4.100.3 on first run, writes a sample
// workspace, starts code-server on 127.0.0.1 and prints the URL to open. Ctrl+C stops it.
import {cpSync, existsSync, mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {ensureCodeServer, installVsix, startCodeServer} from "./codeServer";
import {repoRoot} from "./repoRoot";
import {tinyPair} from "./tinyPair";
import {packageVsix} from "./vsix";

const SAMPLE = `// A sample file to try Draftstop: type, and the ghost text appears; Tab accepts it.
// The tiny demo models were trained in 41 minutes on a CPU, on JavaScript and TypeScript, so
// their completions are a demonstration of speed, not of quality: the target often ends a
// completion at once (nothing to show). It does write something at the start of a new line in a
// function body, or after "if (" in check() below; Alt+\\ asks for a suggestion anywhere.

function check(value) {
  if (
    throw new TypeError('bad value');
  }
  return value;
}

export interface Item {
  name: string;
  price: number;
  count: number;
}

export function total(items: Item[]): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.count;
  }
  return sum;
}

export function mostExpensive(items: Item[]): Item | undefined {
  
}
`;

async function main(): Promise<void> {
  const {values} = parseArgs({options: {port: {type: "string"}, unpadded: {type: "boolean", default: false}, help: {type: "boolean", default: false}}});
  if (values.help) return console.log("usage: npm start [-- --port N] [--unpadded]");
  const root = repoRoot();
  const state = join(root, ".cache", "draftstop", "start");
  const workspace = join(state, "workspace");
  const extensionsDir = join(state, "extensions");
  mkdirSync(workspace, {recursive: true});
  if (!existsSync(join(workspace, "sample.ts"))) writeFileSync(join(workspace, "sample.ts"), SAMPLE);
  cpSync(join(root, "src", "completion"), join(workspace, "completion-pipeline"), {recursive: true});

  console.log("[start] installing code-server if needed (first run: about two minutes)…");
  await ensureCodeServer();
  console.log("[start] packaging the extension…");
  const vsix = await packageVsix({log: () => undefined});
  await installVsix(vsix.path, extensionsDir);
  console.log("[start] preparing the demo models…");
  const pair = await tinyPair({padded: !values.unpadded});
  const server = await startCodeServer({
    workspace, extensionsDir, userDataDir: join(state, "user-data"),
    port: values.port ? Number(values.port) : undefined,
    settings: {"draftstop.targetModel": pair.target, "draftstop.draftModel": pair.draft, "draftstop.threads": 1, "workbench.startupEditor": "none"}
  });
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
  console.log(`\nDraftstop is running in VS Code (code-server) with ${pair.description}.\n\n  Open ${url}\n\n` +
    "Open sample.ts and type; click the ⚡ status bar item for the statistics. Ctrl+C stops the server.");
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch(error => {
  console.error(`start: ${(error as Error).message}`);
  process.exitCode = 1;
});
