// Child-process entry: loads a model (optionally without the header checks) and evaluates a few
// tokens. Used to show which files make llama.cpp abort the whole process.
import {DraftstopEngine} from "../../../src/engine";

async function main(): Promise<void> {
  const [targetPath, mode] = process.argv.slice(2);
  const engine = await DraftstopEngine.load({targetPath: targetPath!, threads: 1, contextSize: 256, skipPreflight: mode === "unchecked"});
  const result = await engine.generate("ab", {maxTokens: 2});
  process.stdout.write(`generated ${result.tokens.length}\n`);
  await engine.dispose();
}

main().catch(error => {
  process.stdout.write(`error ${(error as Error).name}: ${(error as Error).message}\n`);
  process.exitCode = 3;
});
