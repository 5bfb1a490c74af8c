// The extension-host test entry (both hosts call `run()`): mocha, BDD, over every compiled
// *.suite.js beside this file (DRAFTSTOP_SUITE_FILES picks another ending, e.g. .reliability.js).
// Set DRAFTSTOP_SUITE_GREP to run only matching tests.
import Mocha from "mocha";
import {readdirSync} from "node:fs";
import path from "node:path";

export async function run(): Promise<void> {
  const mocha = new Mocha({ui: "bdd", color: false, timeout: 60_000, reporter: "spec"});
  if (process.env.DRAFTSTOP_SUITE_GREP) mocha.grep(process.env.DRAFTSTOP_SUITE_GREP);
  const ending = process.env.DRAFTSTOP_SUITE_FILES ?? ".suite.js";
  const files = (readdirSync(__dirname, {recursive: true}) as string[]).filter((file) => file.endsWith(ending)).sort();
  if (files.length === 0) throw new Error(`No *${ending} files in ${__dirname}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
