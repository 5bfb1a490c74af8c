// Issue 34's transport: one model process shared by a user's windows over a Unix domain socket.
// Real sockets, real files, a real second uid: a good window's messages flow both ways; a wrong or
// missing token, a malformed or oversized first frame and garbage JSON are each refused and logged
// while a good connection keeps working; another user is stopped by the directory's permissions
// before any token; no Internet socket is ever listening.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {once} from "node:events";
import {chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {connect, createServer, Socket} from "node:net";
import {buildSync} from "esbuild";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {encodeFrame, FrameDecoder, MAX_FRAME_BYTES, OversizedFrame} from "../../src/transport/framing";
import type {MessageChannel} from "../../src/transport/messageChannel";
import {sharedPaths} from "../../src/transport/rendezvous";
import {LockHeldError} from "../../src/transport/startLock";
import {connectShared, SharedConnectError} from "../../src/extension/session/socketConnect";
import {joinSharedProcess} from "../../src/extension/session/sharedProcessClient";
import {HELLO_MAX_BYTES, listenShared, SharedConnection, SharedServer} from "../../src/modelProcess/socketServer";
import type {ClientMessage, HostMessage} from "../../src/protocol";
import {listeningTcpOf, socketInodes} from "../reliability/helpers/procSockets";

const VERSION = "0.1.0-test";
const OTHER_UID = 45678;
const OUT_SRC = join(__dirname, "..", "..", "src");
/** The checkout: out/test/host is three folders below it. */
const REPO = join(__dirname, "..", "..", "..");

/** A connection speaking raw frames, for what a well-behaved client never sends. */
class RawClient {
  readonly messages: unknown[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder(MAX_FRAME_BYTES);

  private constructor(readonly socket: Socket) {
    socket.on("data", chunk => {
      for (const frame of this.decoder.push(chunk))
        if (!(frame instanceof OversizedFrame)) this.messages.push(JSON.parse(frame.toString("utf8")));
    });
    socket.on("error", () => undefined);
    this.closed = once(socket, "close").then(() => undefined);
  }

  static async open(path: string): Promise<RawClient> {
    const socket = connect({path});
    await once(socket, "connect");
    return new RawClient(socket);
  }

  frame(message: unknown): void {
    this.socket.write(encodeFrame(message));
  }

  bytes(body: Buffer | string): void {
    const payload = Buffer.from(body);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    this.socket.write(Buffer.concat([header, payload]));
  }
}

interface Harness {
  server: SharedServer;
  log: string[];
  connections: SharedConnection[];
}

/** A server that echoes every request's params back, as the model process would answer a request. */
async function startServer(directory: string, options: {helloTimeoutMs?: number; onConnection?(c: SharedConnection): void} = {}): Promise<Harness> {
  const log: string[] = [];
  const connections: SharedConnection[] = [];
  const server = await listenShared({
    directory, version: VERSION, log: line => log.push(line), helloTimeoutMs: options.helloTimeoutMs,
    onConnection: connection => {
      connections.push(connection);
      connection.channel.on("message", message => {
        if (message.kind === "request") connection.channel.send({kind: "response", id: message.id, ok: true, result: {echo: message.params}});
      });
      options.onConnection?.(connection);
    }
  });
  return {server, log, connections};
}

/** One request through the channel; resolves with the response. */
async function roundTrip(channel: MessageChannel<HostMessage, ClientMessage>, id: number, params: unknown): Promise<HostMessage> {
  const reply = new Promise<HostMessage>((resolve, reject) => {
    const onMessage = (message: HostMessage) => {
      if (message.kind !== "response" || message.id !== id) return;
      channel.off("message", onMessage);
      channel.off("close", onClose);
      resolve(message);
    };
    const onClose = (closed: {reason: string}) => reject(new Error(`closed: ${closed.reason}`));
    channel.on("message", onMessage);
    channel.once("close", onClose);
  });
  channel.send({kind: "request", id, name: "stats", params});
  return withTimeout(reply, 5000, `response ${id}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

const ownListeningTcp = () => listeningTcpOf("self");

describe("shared model process: socket transport", function () {
  this.timeout(60_000);
  let base: string;
  let directory: string;
  let harness: Harness;
  let good: MessageChannel<HostMessage, ClientMessage>;
  let goodId = 1000;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "ds-shared-"));
    // mkdtemp makes 0700: opened up so that, for the second uid, only the rendezvous directory stands in the way.
    chmodSync(base, 0o755);
    directory = join(base, "draftstop-0");
    harness = await startServer(directory, {
      helloTimeoutMs: 1500,
      // Sent in the welcome's tick, before the window can listen: it must still arrive (held, then flowing).
      onConnection: connection => connection.channel.send({kind: "event", event: "log", level: "info", message: `hello ${connection.window}`})
    });
    good = await connectShared({directory, version: VERSION, window: "good-window"});
  });

  after(async () => {
    good?.close();
    await harness?.server.close();
    rmSync(base, {recursive: true, force: true});
  });

  /** The good window answers: called after every refusal. */
  async function goodStillWorks(): Promise<void> {
    const id = goodId++;
    const reply = await roundTrip(good, id, {n: id});
    assert.deepEqual(reply, {kind: "response", id, ok: true, result: {echo: {n: id}}});
    assert.equal(good.closed, false);
  }

  it("lets a window with the token in, and messages flow both ways", async () => {
    const window = await connectShared({directory, version: VERSION, window: "second-window"});
    const first = await withTimeout(new Promise<HostMessage>(resolve => window.once("message", resolve)), 5000, "the log sent with the welcome");
    assert.deepEqual(first, {kind: "event", event: "log", level: "info", message: "hello second-window"});
    const reply = await roundTrip(window, 7, {prefix: "abc", unicode: "ü→😀"});
    assert.deepEqual(reply, {kind: "response", id: 7, ok: true, result: {echo: {prefix: "abc", unicode: "ü→😀"}}});
    const connection = harness.connections.find(c => c.window === "second-window");
    assert.ok(connection, "the server saw the window by the name in its hello");
    assert.ok(harness.log.includes("window second-window: connected"), harness.log.join("\n"));
    const closed = once(connection.channel, "close");
    window.close();
    await withTimeout(closed, 5000, "the server's close");
    await goodStillWorks();
  });

  it("carries a message of nearly the frame limit", async () => {
    const big = "x".repeat(MAX_FRAME_BYTES - 200);
    const reply = await roundTrip(good, goodId++, big);
    assert.equal(reply.kind === "response" && reply.ok && (reply.result as {echo: string}).echo.length, big.length);
  });

  const refusals: Array<[string, (client: RawClient, token: string) => void, string]> = [
    ["a wrong token", (client, token) => client.frame({kind: "hello", token: token.replace(/^./, c => c === "0" ? "1" : "0"), window: "w", version: VERSION}), "wrong token"],
    ["a token of another length", client => client.frame({kind: "hello", token: "abc", window: "w", version: VERSION}), "wrong token"],
    ["a missing token", client => client.frame({kind: "hello", window: "w", version: VERSION}), "missing token"],
    ["an empty token", client => client.frame({kind: "hello", token: "", window: "w", version: VERSION}), "missing token"],
    ["a request before the hello", client => client.frame({kind: "request", id: 1, name: "stats"}), "malformed first message"],
    ["a hello without a window", (client, token) => client.frame({kind: "hello", token, version: VERSION}), "malformed first message"],
    ["garbage JSON", client => client.bytes("{kind: hello, token"), "malformed first message"],
    ["bytes that are not UTF-8", client => client.bytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), "malformed first message"],
    ["an oversized frame (its header only, no body)", client => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(0xfffffff0);
      client.socket.write(header);
    }, "oversized frame"],
    ["a first frame just over the hello limit", client => client.bytes(" ".repeat(HELLO_MAX_BYTES + 1)), "oversized frame"],
    ["another version", (client, token) => client.frame({kind: "hello", token, window: "w", version: "9.9.9"}), "wrong version"],
    ["no hello at all", () => undefined, "no hello in time"]
  ];
  for (const [what, send, reason] of refusals)
    it(`refuses ${what}, logs it, and the other windows go on`, async () => {
      const token = readFileSync(sharedPaths(directory, VERSION).token, "utf8");
      const logged = harness.log.length;
      const connected = harness.connections.length;
      const client = await RawClient.open(sharedPaths(directory, VERSION).socket);
      send(client, token);
      await withTimeout(client.closed, 5000, "the refused connection's close");
      assert.deepEqual(client.messages, [{kind: "event", event: "refused", reason}], "the refusal is the only answer");
      const lines = harness.log.slice(logged);
      assert.ok(lines.some(line => line.startsWith(`refused a connection: ${reason}`)), `logged: ${JSON.stringify(lines)}`);
      assert.equal(harness.connections.length, connected, "a refused connection never reaches onConnection");
      await goodStillWorks();
    });

  const violations: Array<[string, (client: RawClient) => void, RegExp]> = [
    ["garbage JSON", client => client.bytes("}{"), /malformed message \(not JSON\)/],
    ["an oversized frame", client => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_FRAME_BYTES + 1);
      client.socket.write(header);
    }, /oversized message/],
    ["an unknown request", client => client.frame({kind: "request", id: 3, name: "rm -rf"}), /malformed message \(no request is named/],
    ["a request with a fractional id", client => client.frame({kind: "request", id: 1.5, name: "stats"}), /malformed message \(a request's id/],
    ["an array", client => client.frame([1, 2]), /malformed message \(expected an object, got an array\)/]
  ];
  for (const [what, send, pattern] of violations)
    it(`closes a welcomed connection that sends ${what}, logs it, and the others go on`, async () => {
      const client = await RawClient.open(sharedPaths(directory, VERSION).socket);
      const token = readFileSync(sharedPaths(directory, VERSION).token, "utf8");
      const window = `raw-${goodId++}`;
      client.frame({kind: "hello", token, window, version: VERSION});
      await withTimeout((async () => {
        while (client.messages.length < 1) await new Promise(resolve => setTimeout(resolve, 10));
      })(), 5000, "the welcome");
      assert.deepEqual(client.messages[0], {kind: "event", event: "welcome"});
      send(client);
      await withTimeout(client.closed, 5000, "the connection's close");
      const line = harness.log.find(l => l.startsWith(`window ${window}: closed its connection`));
      assert.ok(line && pattern.test(line), `logged: ${JSON.stringify(harness.log.filter(l => l.includes(window)))}`);
      await goodStillWorks();
    });

  it("closes the window's side when the process sends a message of the wrong shape", async () => {
    const window = await connectShared({directory, version: VERSION, window: "victim"});
    const violation = once(window, "violation");
    const connection = harness.connections.find(c => c.window === "victim")!;
    (connection.channel as MessageChannel<ClientMessage, unknown>).send({kind: "response", id: "one", ok: true});
    const [seen] = await withTimeout(violation, 5000, "the client's violation");
    assert.deepEqual(seen, {kind: "malformed", detail: "a response's id must be a non-negative integer"});
    assert.equal(window.closed, true);
    await goodStillWorks();
  });

  it("has a window that read a token since replaced try again with the new one, and start no process", async () => {
    const paths = sharedPaths(directory, VERSION);
    const right = readFileSync(paths.token, "utf8");
    const wrong = right.replace(/^./, c => (c === "0" ? "1" : "0"));
    writeFileSync(paths.token, wrong);
    const lines: string[] = [];
    const refusals = () => harness.log.filter(line => /refused a connection: wrong token/.test(line)).length;
    const before = refusals();
    const joining = joinSharedProcess({version: VERSION, window: "late-window", directory, startTimeoutMs: 10_000}, "/nonexistent/engineHost.js", {}, line => lines.push(line));
    await new Promise(resolve => setTimeout(resolve, 400));
    writeFileSync(paths.token, right);
    const refused = refusals() - before;
    const joined = await withTimeout(joining, 5000, "the join after the token came back");
    try {
      assert.equal(joined.channel.closed, false);
      assert.ok(refused >= 2, `refused while the token was wrong, and tried again (${refused} refusals)`);
      assert.deepEqual(lines, [], "no window started a process: one serves");
    } finally {
      joined.channel.close();
    }
    await goodStillWorks();
  });

  it("keeps another user out at the directory, before the token (a second uid)", async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can run a process as another uid; not a pass
    const paths = sharedPaths(directory, VERSION);
    const logged = harness.log.length;
    const connected = harness.server.connections;
    // The second uid cannot read this checkout (a clone in a 0700 temporary folder, as CI makes):
    // it gets connectShared bundled into one file in a folder it may read.
    const intruder = join(base, "intruder.js");
    buildSync({entryPoints: [join(REPO, "src", "extension", "session", "socketConnect.ts")], bundle: true, platform: "node", format: "cjs",
      outfile: intruder, logLevel: "error"});
    chmodSync(intruder, 0o644);
    const script = `
      const net = require("net"), fs = require("fs");
      const result = {uid: process.getuid()};
      try { fs.readFileSync(${JSON.stringify(paths.token)}); result.token = "read"; } catch (e) { result.token = e.code; }
      try { fs.readdirSync(${JSON.stringify(directory)}); result.list = "listed"; } catch (e) { result.list = e.code; }
      const socket = net.connect({path: ${JSON.stringify(paths.socket)}});
      socket.on("connect", () => { result.socket = "connected"; done(); });
      socket.on("error", e => { result.socket = e.code; done(); });
      async function done() {
        socket.destroy();
        const {connectShared} = require(${JSON.stringify(intruder)});
        try { await connectShared({directory: ${JSON.stringify(directory)}, version: ${JSON.stringify(VERSION)}, window: "intruder"}); result.shared = "joined"; }
        catch (e) { result.shared = e.code; result.problem = e.problem; }
        console.log(JSON.stringify(result));
      }`;
    const child = spawn(process.execPath, ["-e", script], {uid: OTHER_UID, gid: OTHER_UID, cwd: "/", env: {PATH: process.env.PATH}});
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", chunk => stdout += chunk);
    child.stderr.on("data", chunk => stderr += chunk);
    const [code] = await once(child, "exit");
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.uid, OTHER_UID);
    assert.equal(result.token, "EACCES", "the token file cannot be read");
    assert.equal(result.list, "EACCES", "the directory cannot be listed");
    assert.equal(result.socket, "EACCES", "the kernel refuses the socket at the directory");
    assert.equal(result.shared, "shared.unsafeDirectory", "connectShared refuses a directory that is not the caller's");
    assert.equal(result.problem, "notOwned");
    assert.deepEqual(harness.log.slice(logged), [], "nothing reached the server");
    assert.equal(harness.server.connections, connected);
    await goodStillWorks();
  });

  it("listens on no Internet socket (and the check would see one)", async () => {
    const paths = sharedPaths(directory, VERSION);
    assert.deepEqual(ownListeningTcp(), [], "no TCP socket of this process is listening");
    // The server's socket is among this process's: /proc/net/unix names its path with an inode we hold.
    const own = socketInodes("self");
    const unix = readFileSync("/proc/net/unix", "utf8").split("\n").filter(line => line.endsWith(` ${paths.socket}`));
    assert.ok(unix.some(line => own.has(line.trim().split(/\s+/)[6]!)), "the shared socket is a Unix socket of this process");
    // The probe itself finds a TCP listener when there is one.
    const tcp = createServer();
    await new Promise<void>(resolve => tcp.listen(0, "127.0.0.1", resolve));
    try {
      assert.equal(ownListeningTcp().length, 1);
    } finally {
      await new Promise(resolve => tcp.close(resolve));
    }
  });

  it("makes the directory 0700 and the token and socket 0600", () => {
    const paths = sharedPaths(directory, VERSION);
    assert.equal(lstatSync(directory).mode & 0o777, 0o700);
    assert.equal(lstatSync(paths.token).mode & 0o777, 0o600);
    assert.match(readFileSync(paths.token, "utf8"), /^[0-9a-f]{64}$/);
    assert.equal(lstatSync(paths.socket).mode & 0o777, 0o600);
    assert.ok(lstatSync(paths.socket).isSocket());
  });

  it("serves a version once: a second server of the same version is refused by the lock", async () => {
    await assert.rejects(listenShared({directory, version: VERSION, log: () => undefined, onConnection: () => undefined}),
      (error: LockHeldError) => error.code === "shared.lockHeld" && error.holder === process.pid);
    await goodStillWorks();
  });

  it("runs another version beside it, with its own socket and token", async () => {
    const other = await listenShared({directory, version: "0.2.0", log: () => undefined, onConnection: () => undefined});
    try {
      assert.notEqual(other.paths.socket, sharedPaths(directory, VERSION).socket);
      assert.notEqual(readFileSync(other.paths.token, "utf8"), readFileSync(sharedPaths(directory, VERSION).token, "utf8"));
      const window = await connectShared({directory, version: "0.2.0", window: "updated"});
      window.close();
    } finally {
      await other.close();
    }
    assert.equal(existsSync(other.paths.socket), false, "closing removes the socket");
    assert.equal(existsSync(other.paths.token), false, "closing removes the token");
    assert.equal(existsSync(other.paths.lock), false, "closing releases the lock");
    await goodStillWorks();
  });
});

describe("shared model process: a process killed while serving", function () {
  this.timeout(60_000);
  let base: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "ds-stale-"));
  });
  afterEach(() => rmSync(base, {recursive: true, force: true}));

  /** Starts a real server in a child process, then kills it with SIGKILL: its socket, token and lock stay behind. */
  async function killedServer(directory: string): Promise<number> {
    const script = `
      const {listenShared} = require(${JSON.stringify(join(OUT_SRC, "modelProcess", "socketServer.js"))});
      listenShared({directory: ${JSON.stringify(directory)}, version: ${JSON.stringify(VERSION)}, log: () => {}, onConnection: () => {}})
        .then(() => console.log("listening"), e => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ["-e", script], {stdio: ["ignore", "pipe", "inherit"]});
    await withTimeout(once(child.stdout, "data"), 10_000, "the child server");
    child.kill("SIGKILL");
    await once(child, "exit");
    return child.pid!;
  }

  it("detects the stale socket and lock, and a new server takes over", async () => {
    const directory = join(base, "draftstop-0");
    const paths = sharedPaths(directory, VERSION);
    const deadPid = await killedServer(directory);
    assert.ok(lstatSync(paths.socket).isSocket(), "the killed server left its socket");
    assert.equal(JSON.parse(readFileSync(paths.lock, "utf8")).pid, deadPid, "and its lock");
    await assert.rejects(connectShared({directory, version: VERSION, window: "w"}),
      (error: SharedConnectError) => error.code === "shared.noServer" && /ECONNREFUSED/.test(error.message));
    const log: string[] = [];
    const server = await listenShared({directory, version: VERSION, log: line => log.push(line), onConnection: () => undefined});
    try {
      assert.equal(JSON.parse(readFileSync(paths.lock, "utf8")).pid, process.pid);
      const window = await connectShared({directory, version: VERSION, window: "after"});
      assert.equal(window.closed, false);
      window.close();
    } finally {
      await server.close();
    }
  });

  it("waits for a process that answers no welcome, until the start timeout, and starts none beside it", async () => {
    const directory = join(base, "draftstop-0");
    const paths = sharedPaths(directory, VERSION);
    // A real server's files, then a listener in its place that accepts and never answers (a process too busy to).
    const real = await listenShared({directory, version: VERSION, log: () => undefined, onConnection: () => undefined});
    const token = readFileSync(paths.token, "utf8");
    await real.close();
    writeFileSync(paths.token, token, {mode: 0o600});
    const accepted: Socket[] = [];
    const silent = createServer(socket => accepted.push(socket)).listen(paths.socket);
    await once(silent, "listening");
    try {
      const lines: string[] = [];
      const started = Date.now();
      await assert.rejects(joinSharedProcess({version: VERSION, window: "patient", directory, startTimeoutMs: 1500, welcomeTimeoutMs: 300},
        "/nonexistent/engineHost.js", {}, line => lines.push(line)),
      (error: Error & {code: string}) => error.code === "shared.startTimeout" && /shareModelProcess/.test(error.message));
      assert.ok(accepted.length >= 2, `tried again after a timeout (${accepted.length} connections)`);
      assert.ok(Date.now() - started >= 1500, "until the start timeout");
      assert.deepEqual(lines, [], "and started no process: one is there");
    } finally {
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  });

  it("tells a window that no process serves when there is no directory or no socket", async () => {
    const directory = join(base, "draftstop-0");
    await assert.rejects(connectShared({directory, version: VERSION, window: "w"}),
      (error: SharedConnectError) => error.code === "shared.noServer" && error.message.includes("does not exist"));
    const server = await listenShared({directory, version: VERSION, log: () => undefined, onConnection: () => undefined});
    await server.close();
    await assert.rejects(connectShared({directory, version: VERSION, window: "w"}),
      (error: SharedConnectError) => error.code === "shared.noServer" && /ENOENT/.test(error.message));
  });

  it("refuses to listen where a live socket answers without the lock", async () => {
    const directory = join(base, "draftstop-0");
    const paths = sharedPaths(directory, VERSION);
    const first = await listenShared({directory, version: VERSION, log: () => undefined, onConnection: () => undefined});
    // The lock removed by hand: the socket still answers, so it is not stale and is left alone.
    rmSync(paths.lock);
    await assert.rejects(listenShared({directory, version: VERSION, log: () => undefined, onConnection: () => undefined}),
      (error: Error & {code: string}) => error.code === "shared.alreadyServing");
    assert.ok(lstatSync(paths.socket).isSocket());
    const window = await connectShared({directory, version: VERSION, window: "still"});
    window.close();
    await first.close();
  });
});
