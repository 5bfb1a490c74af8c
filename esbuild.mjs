// Bundles the extension entry, the engine's model process and the command-line entry points.
// node-llama-cpp stays external: it ships native binaries and is ESM, loaded with a dynamic import.
import * as esbuild from "esbuild";
import {existsSync} from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const entryPoints = {
  "extension": "src/extension.ts",
  "engineHost": "src/host/engineHost.ts",
  "cli/demo": "src/cli/demo.ts",
  "cli/bench": "src/cli/bench.ts",
  "cli/start": "src/cli/start.ts"
};
for (const [name, file] of Object.entries(entryPoints))
  if (!existsSync(file)) delete entryPoints[name];

const options = {
  entryPoints,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outdir: "out/dist",
  external: ["vscode", "node-llama-cpp"],
  sourcemap: !production,
  minify: production,
  logLevel: "warning"
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
