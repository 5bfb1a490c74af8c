// A MessageChannel over Node's IPC: the extension's side wraps the forked ChildProcess, the model
// process's side wraps `process`. Node serializes the messages itself, so there are no frames to
// check here, only shapes (when a validator is given).
import type {ChildProcess} from "node:child_process";
import {ACCEPT_ANY, BaseChannel, MessageValidator} from "./messageChannel";

/** What the channel uses of a ChildProcess or of `process`: the two types share no declared interface. */
interface IpcEndpoint {
  readonly connected?: boolean;
  send?(message: unknown): boolean;
  disconnect?(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

export interface IpcChannelOptions {
  /** Default ACCEPT_ANY: over IPC the peer is this program's own fork. */
  validate?: MessageValidator;
}

export class IpcChannel<In, Out> extends BaseChannel<In, Out> {
  private readonly endpoint: IpcEndpoint;
  private readonly onMessage = (message: unknown) => this.receive(message);
  private readonly onDisconnect = () => this.peerClosed("the IPC channel disconnected");

  /** `endpoint`: the forked ChildProcess (extension side) or `process` (model process side). */
  constructor(endpoint: ChildProcess | NodeJS.Process, options: IpcChannelOptions = {}) {
    super(options.validate ?? ACCEPT_ANY);
    this.endpoint = endpoint as unknown as IpcEndpoint;
    this.endpoint.on("message", this.onMessage);
    this.endpoint.on("disconnect", this.onDisconnect);
  }

  send(message: Out): boolean {
    // Node reports a send on a closed channel as an asynchronous "error" event; a closed channel drops it instead.
    if (this.closed || !this.endpoint.connected || !this.endpoint.send) return false;
    return this.endpoint.send(message);
  }

  protected shutdown(farewell?: Out): void {
    if (farewell !== undefined && this.endpoint.connected) this.endpoint.send?.(farewell);
    if (this.endpoint.connected) this.endpoint.disconnect?.();
  }

  protected detach(): void {
    this.endpoint.off("message", this.onMessage);
    this.endpoint.off("disconnect", this.onDisconnect);
  }
}
