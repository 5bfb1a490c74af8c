// Child-process entry for download tests that need another mount or network namespace:
// `node downloadChild.js [--connect-ms N] DIR URI...` downloads every URI into DIR at once with downloadModel and
// prints one JSON line of outcomes. It installs no error handlers of its own and lingers a few
// seconds after printing, so anything that escapes downloadModel later (an unhandled rejection
// from a write still in flight) ends it with a non-zero exit code, as it would the model process.
import {downloadModel} from "../../../src/modelProcess/download";

export interface ChildOutcome {
  uri: string;
  ms: number;
  path?: string;
  error?: {name: string; code?: string; message: string};
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const connectMs = args[0] === "--connect-ms" ? Number(args.splice(0, 2)[1]) : undefined;
  const [directory, ...uris] = args;
  if (!directory || uris.length === 0) throw new Error("usage: downloadChild [--connect-ms N] DIR URI...");
  const outcomes = await Promise.all(uris.map(async (uri): Promise<ChildOutcome> => {
    const started = Date.now(); // a figure for the report
    try {
      const {path} = await downloadModel(uri, directory, new AbortController().signal, () => {}, {connectMs});
      return {uri, ms: Date.now() - started, path}; // ms: a figure for the report
    } catch (e) {
      const error = e as {name: string; code?: string; message: string};
      return {uri, ms: Date.now() - started, error: {name: error.name, code: error.code, message: error.message}}; // ms: a figure
    }
  }));
  process.stdout.write(JSON.stringify(outcomes) + "\n");
}

// Long enough for a write still in flight to fail; not a verdict on anything's speed.
const LINGER_MS = 3_000;
// Then exit: the downloader may hold sockets open.
void main().then(() => setTimeout(() => process.exit(0), LINGER_MS));
