// The IPC implementation of MessageChannel, between this process and a real forked child that wraps
// `process` in the same class: messages both ways, a message of the wrong shape closes the channel
// with the reason, and the child's end is the channel's close.
import assert from "node:assert/strict";
import {fork} from "node:child_process";
import {once} from "node:events";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {IpcChannel} from "../../src/transport/ipcChannel";
import type {ChannelClosed, ChannelViolation} from "../../src/transport/messageChannel";

const CHANNEL_SCRIPT = join(__dirname, "..", "..", "src", "transport", "ipcChannel.js");

/** The child: echoes {n} as {echo: n}; sends {bad: true} when asked to misbehave; leaves when asked. */
const CHILD = `
  const {IpcChannel} = require(${JSON.stringify(CHANNEL_SCRIPT)});
  const channel = new IpcChannel(process, {validate: m => typeof m?.n === "number" || m?.cmd ? undefined : "expected {n} or {cmd}"});
  channel.on("message", m => {
    if (m.cmd === "misbehave") channel.send({bad: true});
    else if (m.cmd === "leave") channel.close();
    else channel.send({echo: m.n});
  });
  channel.on("close", closed => { if (closed.by === "violation") process.exitCode = 3; });`;


const echoShape = (m: unknown) => typeof (m as {echo?: unknown})?.echo === "number" ? undefined : "expected {echo: number}";

describe("IPC message channel", function () {
  this.timeout(30_000);
  let script: string;
  before(() => {
    script = join(mkdtempSync(join(tmpdir(), "ds-ipc-")), "child.js");
    writeFileSync(script, CHILD);
  });
  after(() => rmSync(dirname(script), {recursive: true, force: true}));

  function child() {
    return fork(script, [], {stdio: ["ignore", "inherit", "inherit", "ipc"]});
  }

  it("carries messages both ways and closes when the peer leaves", async () => {
    const process = child();
    const channel = new IpcChannel<{echo: number}, {n?: number; cmd?: string}>(process, {validate: echoShape});
    const replies: number[] = [];
    channel.on("message", m => replies.push(m.echo));
    for (let n = 1; n <= 3; n++) channel.send({n});
    while (replies.length < 3) await new Promise(resolve => setTimeout(resolve, 5));
    assert.deepEqual(replies, [1, 2, 3]);
    const closed = once(channel, "close");
    channel.send({cmd: "leave"});
    const [why] = await closed as [ChannelClosed];
    assert.equal(why.by, "peer");
    assert.equal(channel.closed, true);
    assert.equal(channel.send({n: 4}), false, "a closed channel sends nothing");
    await once(process, "exit");
  });

  it("closes on a message of the wrong shape and says why", async () => {
    const process = child();
    const channel = new IpcChannel<{echo: number}, {n?: number; cmd?: string}>(process, {validate: echoShape});
    const seen: Array<{echo: number}> = [];
    channel.on("message", m => seen.push(m));
    const violation = once(channel, "violation");
    const closed = once(channel, "close");
    channel.send({cmd: "misbehave"});
    const [v] = await violation as [ChannelViolation];
    const [c] = await closed as [ChannelClosed];
    assert.deepEqual(v, {kind: "malformed", detail: "expected {echo: number}"});
    assert.equal(c.by, "violation");
    assert.deepEqual(seen, [], "the malformed message was never handed on");
    const [code] = await once(process, "exit");
    assert.equal(code, 0, "the child saw its channel disconnected, not a violation");
  });

  it("the child side refuses a malformed message from the parent", async () => {
    const process = child();
    const channel = new IpcChannel<unknown, unknown>(process);
    channel.send({neither: "n nor cmd"});
    const [code] = await once(process, "exit");
    assert.equal(code, 3, "the child closed its channel by violation");
    assert.equal(channel.closed, true);
  });
});
