// A real HTTP server on 127.0.0.1 that serves one file the way a model host does (Content-Length,
// Accept-Ranges, 206 partial content), records every request, and can misbehave on demand: hold
// responses at a byte offset (so an abort lands mid-file), or announce a different length on HEAD
// than it serves (a stale CDN entry).
import {createServer, IncomingMessage, Server, ServerResponse} from "node:http";
import {AddressInfo} from "node:net";
import {once} from "node:events";

export interface ServedRequest {
  method: string;
  url: string;
  /** The Range header as sent, if any. */
  range?: string;
  /** First byte of the range served (0 without Range). */
  start: number;
  /** Body bytes actually written so far. */
  bytesSent: number;
  finished: boolean;
  /** The response is over: all sent, or the client went away. */
  ended: boolean;
  /** Paused at the hold offset right now. */
  held: boolean;
}

export interface ModelServerOptions {
  /** Path the file is served at, e.g. "/models/pair.gguf". */
  path: string;
  body: Buffer;
  /** Length a HEAD request announces; default: the real length. */
  headLength?: number;
  /** Pause between 64 KB pieces (a slow link). Default 0. */
  pieceDelayMs?: number;
  /** Answer every request with this error status instead (a broken server). */
  errorStatus?: number;
}

export class ModelServer {
  readonly requests: ServedRequest[] = [];
  /** Responses stop at this file offset until release(); undefined: never hold. */
  holdAt: number | undefined;
  private readonly server: Server;
  private released: Promise<void> = Promise.resolve();
  private release_: () => void = () => {};

  private constructor(private readonly options: ModelServerOptions) {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  static async start(options: ModelServerOptions): Promise<ModelServer> {
    const server = new ModelServer(options);
    server.server.listen(0, "127.0.0.1");
    await once(server.server, "listening");
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.options.path}`;
  }

  /** Makes every response pause when it reaches `offset`, until release(). */
  hold(offset: number): void {
    this.holdAt = offset;
    this.released = new Promise(resolve => (this.release_ = resolve));
  }

  release(): void {
    this.holdAt = undefined;
    this.release_();
  }

  /** Resolves once `condition` holds for the requests seen so far (polled; timeoutMs only fails a hung test). */
  async until(condition: (requests: ServedRequest[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs; // only fails a hung test
    while (!condition(this.requests)) {
      if (Date.now() > deadline) throw new Error(`server condition not reached in ${timeoutMs} ms: ${JSON.stringify(this.requests)}`); // the hang guard
      await new Promise(resolve => setTimeout(resolve, 10)); // the polling interval
    }
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const {body, path, headLength, errorStatus} = this.options;
    const record: ServedRequest = {method: req.method ?? "GET", url: req.url ?? "", range: req.headers.range, start: 0, bytesSent: 0, finished: false, ended: false, held: false};
    this.requests.push(record);
    if (errorStatus || new URL(record.url, "http://x").pathname !== path) {
      res.writeHead(errorStatus ?? 404).end();
      record.ended = true;
      return;
    }
    if (record.method === "HEAD") {
      res.writeHead(200, {"Content-Length": headLength ?? body.length, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}).end();
      record.ended = true;
      return;
    }
    let start = 0;
    let end = body.length; // exclusive
    const match = /^bytes=(\d+)-(\d*)$/.exec(record.range ?? "");
    if (match) {
      start = Number(match[1]);
      end = match[2] ? Math.min(Number(match[2]) + 1, body.length) : body.length;
      if (start >= body.length || start >= end) {
        res.writeHead(416, {"Content-Range": `bytes */${body.length}`}).end();
        record.ended = true;
        return;
      }
      res.writeHead(206, {"Content-Length": end - start, "Content-Range": `bytes ${start}-${end - 1}/${body.length}`, "Accept-Ranges": "bytes"});
    } else {
      res.writeHead(200, {"Content-Length": body.length, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"});
    }
    record.start = start;
    await this.stream(res, body, start, end, record);
  }

  /** Writes body[start, end) in 64 KB pieces, honouring backpressure, the piece delay and the hold offset. */
  private async stream(res: ServerResponse, body: Buffer, start: number, end: number, record: ServedRequest): Promise<void> {
    const PIECE = 64 * 1024;
    let position = start;
    while (position < end && !res.destroyed) {
      const holdAt = start < (this.holdAt ?? -1) ? this.holdAt! : undefined;
      if (holdAt !== undefined && position >= holdAt) {
        record.held = true;
        await this.released;
        record.held = false;
        continue;
      }
      const stop = Math.min(end, position + PIECE, holdAt ?? Infinity);
      const piece = body.subarray(position, stop);
      position = stop;
      record.bytesSent += piece.length;
      if (!res.write(piece)) await drainedOrClosed(res);
      // A slow link on purpose (the progress test): it slows the server, it judges nothing.
      if (this.options.pieceDelayMs) await new Promise(resolve => setTimeout(resolve, this.options.pieceDelayMs));
    }
    if (!res.destroyed) res.end();
    record.finished = position >= end;
    record.ended = true;
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
