// npm start: a real VS Code on this machine with Draftstop installed and set to SmolLM2-135M and
// its draft (--pair tiny: the tiny demo pair).
// Builds and packages the extension, installs code-server 4.100.3 on first run, writes a sample
// workspace, starts code-server on 127.0.0.1 and prints the URL to open. Ctrl+C stops it.
import {cpSync, existsSync, mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {ensureCodeServer, installVsix, startCodeServer} from "./codeServer";
import {repoRoot} from "./repoRoot";
import {namedPair} from "./pairs";
import {SAMPLE_FILE} from "./sample";
import {packageVsix} from "./vsix";


async function main(): Promise<void> {
  const {values} = parseArgs({options: {port: {type: "string"}, pair: {type: "string"}, unpadded: {type: "boolean", default: false}, help: {type: "boolean", default: false}}});
  if (values.help) return console.log("usage: npm start [-- --port N] [--pair smollm2|tiny] [--unpadded (tiny pair)]");
  const root = repoRoot();
  const state = join(root, ".cache", "draftstop", "start");
  const workspace = join(state, "workspace");
  const extensionsDir = join(state, "extensions");
  mkdirSync(workspace, {recursive: true});
  if (!existsSync(join(workspace, "sample.ts"))) writeFileSync(join(workspace, "sample.ts"), SAMPLE_FILE);
  cpSync(join(root, "src", "extension", "completion"), join(workspace, "completion-pipeline"), {recursive: true});

  console.log("[start] installing code-server if needed (first run: about two minutes)…");
  await ensureCodeServer();
  console.log("[start] packaging the extension…");
  const vsix = await packageVsix({log: () => undefined});
  await installVsix(vsix.path, extensionsDir);
  console.log("[start] preparing the demo models…");
  const pair = await namedPair({name: values.pair, padded: !values.unpadded, log: line => console.log(`[start] ${line}`)});
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
