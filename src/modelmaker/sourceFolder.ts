// The model makers' scripts find their own source folder (src/modelmaker/<name>) from wherever
// they were compiled to (out/src/... by tsc, out/dist/... by esbuild), by walking up to the
// repository: the folder with package.json that holds src/modelmaker/<name>/<marker>.
import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";

export function modelmakerFolder(name: string, marker: string, from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "src", "modelmaker", name);
    if (existsSync(join(dir, "package.json")) && existsSync(join(candidate, marker))) return candidate;
    if (dirname(dir) === dir) throw new Error(`src/modelmaker/${name} not found above ${from}`);
  }
}
