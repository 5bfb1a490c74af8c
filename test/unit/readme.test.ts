// README is the product's front door (issue 32): short, a picture of the product before anything
// else, and the two commands it promises.
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {repoRoot} from "../../src/lab/cli/repoRoot";

describe("README", () => {
  const root = repoRoot(__dirname);
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const lines = readme.split("\n");

  it("stays at most 200 lines", () => {
    assert.ok(lines.length <= 200, `${lines.length} lines`);
  });

  it("shows a picture of the product before its first section, and the picture is in the repository", () => {
    const firstSection = lines.findIndex(line => line.startsWith("## "));
    const picture = lines.findIndex(line => /^!\[[^\]]+\]\([^)]+\.(png|svg)\)/.test(line));
    assert.ok(picture >= 0 && picture < firstSection, `picture at line ${picture + 1}, first section at ${firstSection + 1}`);
    for (const [, path] of readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(join(root, path!)), path);
  });

  it("states the two commands: the main job and all the tests", () => {
    assert.match(readme, /^npm start\s+# main job/m);
    assert.match(readme, /^npm test\s+# /m);
  });
});
