// `npm run package [-- --target <vsce target>] [-- --out <file.vsix>]`: a VSIX for this machine's
// platform (or the given target) with only that platform's node-llama-cpp binary. See vsix.ts.
import {parseArgs} from "node:util";
import {packageVsix} from "./vsix";

async function main(): Promise<void> {
  const {values} = parseArgs({options: {target: {type: "string"}, out: {type: "string"}}});
  const started = Date.now();
  const vsix = await packageVsix({target: values.target, out: values.out});
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${vsix.path} (${vsix.target}, ${(vsix.bytes / 1e6).toFixed(1)} MB, ${seconds} s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
