// The extension-host test entry (both hosts call `run()`): mocha, BDD, over every compiled
// *.suite.js beside this file (DRAFTSTOP_SUITE_FILES picks another ending, e.g. .reliability.js).
// Set DRAFTSTOP_SUITE_GREP to run only matching tests.
import Mocha from "mocha";
import {readdirSync} from "node:fs";
import path from "node:path";

export async function run(): Promise<void> {
  const mocha = new Mocha({ui: "bdd", color: false, timeout: 60_000, reporter: "spec"});
  const grep = process.env.DRAFTSTOP_SUITE_GREP;
  if (grep) mocha.grep(grep);
  const ending = process.env.DRAFTSTOP_SUITE_FILES ?? ".suite.js";
  const files = (readdirSync(__dirname, {recursive: true}) as string[]).filter((file) => file.endsWith(ending)).sort();
  if (files.length === 0) throw new Error(`No *${ending} files in ${__dirname}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  let selected = 0;
  const failures = await new Promise<number>((resolve) => {
    // The runner counts the tests the grep selects before it runs any.
    selected = mocha.run(resolve).total;
  });
  // A grep with a typo would otherwise run nothing and pass.
  if (selected === 0)
    throw new Error(grep ? `DRAFTSTOP_SUITE_GREP=${JSON.stringify(grep)} selects no test in the *${ending} files (${files.join(", ")})`
      : `the *${ending} files (${files.join(", ")}) hold no test`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
