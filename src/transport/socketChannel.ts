// A MessageChannel over a stream socket (the shared model process's Unix domain socket or named
// pipe), in the frames of framing.ts. Each frame's size is checked from its header and its shape
// by the validator before the message is handed on; either failing closes this connection only.
import type {Socket} from "node:net";
import {DraftstopError} from "../engine/errors";
import {encodeFrame, FrameDecoder, MAX_FRAME_BYTES, OversizedFrame, parseFrame} from "./framing";
import {ACCEPT_ANY, BaseChannel, MessageValidator} from "./messageChannel";

export interface SocketChannelOptions {
  /** Default ACCEPT_ANY; a socket's peer is another process, so its owner should pass the protocol's check. */
  validate?: MessageValidator;
  /** Largest incoming frame body. Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** Largest outgoing frame body: a larger message is the sender's bug, thrown here. Default MAX_FRAME_BYTES. */
  maxSendBytes?: number;
  /** How long a closing connection may take to flush before it is destroyed. Default 1000 ms. */
  lingerMs?: number;
}

export class SocketChannel<In, Out> extends BaseChannel<In, Out> {
  private readonly decoder: FrameDecoder;
  private readonly maxSendBytes: number;
  private readonly lingerMs: number;
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  private readonly onClose = () => this.peerClosed("the connection closed");
  private readonly onError = (error: Error) => this.peerClosed(`connection error: ${error.message}`);

  constructor(private readonly socket: Socket, options: SocketChannelOptions = {}) {
    super(options.validate ?? ACCEPT_ANY);
    this.decoder = new FrameDecoder(options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.maxSendBytes = options.maxSendBytes ?? MAX_FRAME_BYTES;
    this.lingerMs = options.lingerMs ?? 1000;
    socket.on("data", this.onData);
    socket.on("close", this.onClose);
    socket.on("error", this.onError);
  }

  /** Largest incoming frame body from now on (a handshake starts small and raises it). */
  get maxFrameBytes(): number {
    return this.decoder.limit;
  }

  set maxFrameBytes(bytes: number) {
    this.decoder.limit = bytes;
  }

  send(message: Out): boolean {
    if (this.closed || this.socket.destroyed) return false;
    const frame = encodeFrame(message);
    if (frame.length - 4 > this.maxSendBytes)
      throw new DraftstopError(`a message of ${frame.length - 4} bytes exceeds the ${this.maxSendBytes}-byte frame limit; ` +
        "the peer would refuse it, so it was not sent", "shared.frameTooLarge");
    return this.socket.write(frame);
  }

  private read(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (this.closed) return;
      if (frame instanceof OversizedFrame) {
        this.violate({kind: "oversized", detail: `a frame of ${frame.bytes} bytes announced, over the ${frame.limit}-byte limit`});
        return;
      }
      const parsed = parseFrame(frame);
      if ("problem" in parsed) this.violate({kind: "malformed", detail: parsed.problem});
      else this.receive(parsed.value);
    }
  }

  protected shutdown(farewell?: Out): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    // Whatever the peer still sends flows to no listener and is dropped: an oversized body in
    // particular is never buffered, and the peer's end still reaches us and closes the socket.
    socket.resume();
    // A peer that never reads would keep the socket open forever on a plain end().
    const timer = setTimeout(() => socket.destroy(), this.lingerMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    if (farewell !== undefined) socket.end(encodeFrame(farewell));
    else socket.end();
  }

  protected detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onClose);
    this.socket.off("error", this.onError);
    // A reset while closing is expected (the peer may go first); unheard, it would be thrown.
    this.socket.on("error", () => undefined);
  }
}
