// The files behind the shared model process's socket, on a real file system: the rendezvous
// directory (made 0700; refused when it is someone else's, a link, or open to others), the token
// (0600, fresh per process, refused when unsafe), and the start lock (exactly one of many
// concurrent processes takes it; a dead holder's lock, or a reused pid's, is taken over).
import assert from "node:assert/strict";
import {spawn, spawnSync} from "node:child_process";
import {once} from "node:events";
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync,
  writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {checkPrivateDirectory, ensurePrivateDirectory, rendezvousDirectory, sharedPaths, UnsafeDirectoryError} from "../../src/transport/rendezvous";
import {acquireStartLock, LockHeldError} from "../../src/transport/startLock";
import {readTokenFile, TokenFileError, writeTokenFile} from "../../src/transport/tokenFile";
import {connectShared} from "../../src/extension/session/socketConnect";
import {listenShared} from "../../src/modelProcess/socketServer";

const OTHER_UID = 45678;
const LOCK_SCRIPT = join(__dirname, "..", "..", "src", "transport", "startLock.js");

/** A pid that ran and has exited (and was reaped): no process has it now. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ["-e", ""]);
  assert.ok(run.pid && run.status === 0);
  return run.pid;
}

/** Starts `count` processes that all try to take the lock at the same instant; returns what each got. */
async function race(lockPath: string, count: number): Promise<Array<{won: boolean; code?: string}>> {
  const at = Date.now() + 1500;
  const script = `
    const {acquireStartLock} = require(${JSON.stringify(LOCK_SCRIPT)});
    while (Date.now() < ${at}) {}
    let lock, code;
    try { lock = acquireStartLock(${JSON.stringify(lockPath)}); } catch (e) { code = e.code ?? String(e); }
    console.log(JSON.stringify({won: !!lock, code}));
    // The winner holds on while the slower ones try.
    setTimeout(() => lock?.release(), lock ? 1000 : 0);`;
  const children = Array.from({length: count}, () => spawn(process.execPath, ["-e", script], {stdio: ["ignore", "pipe", "inherit"]}));
  return Promise.all(children.map(async child => {
    let out = "";
    child.stdout.on("data", chunk => out += chunk);
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    return JSON.parse(out);
  }));
}

describe("shared model process: rendezvous directory, token and lock", function () {
  this.timeout(60_000);
  let base: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "ds-rdv-"));
  });
  afterEach(() => rmSync(base, {recursive: true, force: true}));

  it("puts the directory in $XDG_RUNTIME_DIR when set, else the temporary directory, one per uid", () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    try {
      process.env.XDG_RUNTIME_DIR = "/run/user/1000";
      assert.equal(rendezvousDirectory(), `/run/user/1000/draftstop-${process.getuid!()}`);
      delete process.env.XDG_RUNTIME_DIR;
      assert.equal(rendezvousDirectory(), join(tmpdir(), `draftstop-${process.getuid!()}`));
      assert.equal(rendezvousDirectory({runtimeDir: "/r", user: 7}), "/r/draftstop-7");
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });

  it("names the socket, token and lock by version, and refuses a version that is not a plain name", () => {
    const paths = sharedPaths("/d", "1.2.3");
    assert.deepEqual(paths, {directory: "/d", socket: "/d/v1.2.3.sock", token: "/d/v1.2.3.token", lock: "/d/v1.2.3.lock",
      starting: "/d/v1.2.3.lock.start", log: "/d/v1.2.3.log"});
    assert.match(sharedPaths("/d", "1.2.3", "win32").socket, /^\\\\\.\\pipe\\draftstop-.+-v1\.2\.3$/);
    for (const version of ["../1", "1/2", "", "..", "a b"])
      assert.throws(() => sharedPaths("/d", version), (error: Error & {code: string}) => error.code === "option.invalid", version);
    assert.throws(() => sharedPaths(`/${"d".repeat(100)}`, "1.0.0"), (error: Error & {code: string}) => error.code === "shared.socketPathTooLong");
  });

  it("creates the directory 0700 whatever the umask", () => {
    for (const [i, umask] of [0o000, 0o022, 0o077].entries()) {
      const directory = join(base, `draftstop-${i}`);
      const saved = process.umask(umask);
      try {
        ensurePrivateDirectory(directory);
      } finally {
        process.umask(saved);
      }
      assert.equal(lstatSync(directory).mode & 0o777, 0o700, `umask ${umask.toString(8)}`);
      assert.equal(checkPrivateDirectory(directory), true);
    }
    assert.equal(checkPrivateDirectory(join(base, "missing")), false);
  });

  const unsafe: Array<[string, (path: string) => void, string]> = [
    ["open to group and others (0755)", path => {
      mkdirSync(path);
      chmodSync(path, 0o755);
    }, "permissions"],
    ["open to the group only (0710)", path => {
      mkdirSync(path);
      chmodSync(path, 0o710);
    }, "permissions"],
    ["owned by another uid", path => {
      mkdirSync(path, {mode: 0o700});
      chownSync(path, OTHER_UID, OTHER_UID);
    }, "notOwned"],
    ["a symbolic link to a private directory", path => {
      mkdirSync(`${path}-real`, {mode: 0o700});
      symlinkSync(`${path}-real`, path);
    }, "symlink"],
    ["a file", path => writeFileSync(path, "x"), "notDirectory"]
  ];
  for (const [what, make, problem] of unsafe)
    it(`refuses a directory ${what}, on both sides, touching nothing in it`, async function () {
      if (problem === "notOwned" && process.getuid?.() !== 0) this.skip(); // chown to another uid needs root; not a pass
      const directory = join(base, "draftstop-0");
      make(directory);
      const isRefusal = (error: UnsafeDirectoryError) =>
        error instanceof UnsafeDirectoryError && error.problem === problem && error.path === directory && error.message.includes(directory);
      assert.throws(() => ensurePrivateDirectory(directory), isRefusal);
      await assert.rejects(listenShared({directory, version: "1.0.0", log: () => undefined, onConnection: () => undefined}), isRefusal);
      await assert.rejects(connectShared({directory, version: "1.0.0", window: "w"}), isRefusal);
      if (problem !== "notDirectory") {
        const inside = problem === "symlink" ? `${directory}-real` : directory;
        assert.deepEqual(readdirSync(inside), [], "no lock, token or socket was made in it");
        if (problem === "permissions") assert.notEqual(lstatSync(directory).mode & 0o777, 0o700, "refused, not repaired");
      }
    });

  it("writes a 0600 token of 64 hex digits, a fresh one each time, whatever the umask", () => {
    const path = join(base, "v1.token");
    const saved = process.umask(0o000);
    let first: string;
    try {
      first = writeTokenFile(path);
    } finally {
      process.umask(saved);
    }
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    assert.equal(readTokenFile(path), first);
    const second = writeTokenFile(path);
    assert.notEqual(second, first);
    assert.equal(readTokenFile(path), second);
    assert.deepEqual(readdirSync(base), ["v1.token"], "no temporary file is left");
  });

  const unsafeTokens: Array<[string, (path: string) => void, string]> = [
    ["readable by others", path => chmodSync(path, 0o644), "permissions"],
    ["owned by another uid", path => chownSync(path, OTHER_UID, OTHER_UID), "notOwned"],
    ["a symbolic link", path => {
      rmSync(path);
      writeFileSync(`${path}-real`, "a".repeat(64), {mode: 0o600});
      symlinkSync(`${path}-real`, path);
    }, "notFile"],
    ["not 64 hex digits", path => writeFileSync(path, "not a token"), "malformed"],
    ["missing", path => rmSync(path), "missing"]
  ];
  for (const [what, spoil, problem] of unsafeTokens)
    it(`refuses a token file ${what}`, function () {
      if (problem === "notOwned" && process.getuid?.() !== 0) this.skip(); // chown to another uid needs root; not a pass
      const path = join(base, "v1.token");
      writeTokenFile(path);
      spoil(path);
      assert.throws(() => readTokenFile(path), (error: TokenFileError) =>
        error instanceof TokenFileError && error.problem === problem && error.code === `shared.token.${problem}`);
    });

  it("gives the lock to exactly one of many processes trying at once", async () => {
    const lockPath = join(base, "v1.lock");
    for (let round = 0; round < 3; round++) {
      const results = await race(lockPath, 8);
      assert.equal(results.filter(r => r.won).length, 1, JSON.stringify(results));
      assert.ok(results.filter(r => !r.won).every(r => r.code === "shared.lockHeld"), JSON.stringify(results));
      assert.equal(existsSync(lockPath), false, "the winner released it");
    }
  });

  it("gives a dead holder's lock to exactly one of many processes taking it over at once", async () => {
    const lockPath = join(base, "v1.lock");
    for (let round = 0; round < 3; round++) {
      writeFileSync(lockPath, JSON.stringify({pid: deadPid(), nonce: "dead"}));
      const results = await race(lockPath, 8);
      assert.equal(results.filter(r => r.won).length, 1, JSON.stringify(results));
      assert.ok(results.filter(r => !r.won).every(r => r.code === "shared.lockHeld"), JSON.stringify(results));
      assert.equal(existsSync(`${lockPath}.takeover`), false);
    }
  });

  it("refuses a lock whose holder runs, and takes over a dead holder's, a reused pid's, or an unreadable one", () => {
    const lockPath = join(base, "v1.lock");
    const mine = acquireStartLock(lockPath);
    assert.throws(() => acquireStartLock(lockPath), (error: LockHeldError) => error.code === "shared.lockHeld" && error.holder === process.pid);
    mine.release();
    assert.equal(existsSync(lockPath), false);

    const dead = deadPid();
    writeFileSync(lockPath, JSON.stringify({pid: dead, nonce: "x"}));
    let lock = acquireStartLock(lockPath);
    assert.equal(JSON.parse(readFileSync(lockPath, "utf8")).pid, process.pid);
    lock.release();

    // This process's pid, but another start time: the pid was reused, the holder is gone.
    writeFileSync(lockPath, JSON.stringify({pid: process.pid, start: "1", nonce: "x"}));
    lock = acquireStartLock(lockPath);
    assert.equal(JSON.parse(readFileSync(lockPath, "utf8")).nonce, lock.owner.nonce);
    lock.release();

    writeFileSync(lockPath, "");
    lock = acquireStartLock(lockPath);
    lock.release();
    assert.equal(existsSync(lockPath), false);
  });

  it("releases only its own lock", () => {
    const lockPath = join(base, "v1.lock");
    const first = acquireStartLock(lockPath);
    rmSync(lockPath); // as if taken over by someone who found it stale
    const second = acquireStartLock(lockPath);
    first.release();
    assert.equal(JSON.parse(readFileSync(lockPath, "utf8")).nonce, second.owner.nonce, "the other holder's lock stays");
    second.release();
    assert.equal(existsSync(lockPath), false);
  });
});
