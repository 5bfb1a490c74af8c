// Nothing leaves the machine: completions, stats and benchmarks open no network connection; only
// an explicit model download does. The driver (helpers/offlineDriver.ts) runs those paths through
// the real model process with no network at all (`unshare -rn`), under strace following every
// process (driver, model process, and the binary check node-llama-cpp forks); the trace must hold
// no Internet socket and no network address. The second test shows that the same detector does
// catch a connection when one is attempted.
import assert from "node:assert/strict";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {DriverReport} from "./helpers/offlineDriver";
import {recordFigure} from "./figures";
import {localConnects, networkCalls, requireStrace, runTracedOffline, Trace} from "./helpers/strace";

const DRIVER = join(__dirname, "helpers", "offlineDriver.js");

function driverReport(stdout: string): DriverReport {
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as DriverReport;
}

function describeTrace(trace: Trace): string {
  const programs = [...trace.programs].map(([pid, argv]) => `${pid}: ${argv}`).join("\n  ");
  const families = [...new Set(trace.calls.map(c => `${c.call}:${c.family ?? "-"}`))].join(", ");
  return `programs:\n  ${programs}\ncalls: ${families}\nlocal connects: ${localConnects(trace).map(c => c.line).join("\n") || "none"}`;
}

describe("nothing leaves the machine", function () {
  this.timeout(180_000);
  let dir: string;

  before(() => {
    requireStrace(); // fails the suite with an install hint, never skips it
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "draftstop-offline-trace-"));
  });

  afterEach(() => {
    rmSync(dir, {recursive: true, force: true});
  });

  it("loads models, completes, reads stats and benchmarks without any network call", async () => {
    const run = await runTracedOffline(join(dir, "trace"), DRIVER, []);
    assert.equal(run.code, 0, run.stderr);
    const report = driverReport(run.stdout);
    assert.equal(report.completions.length, 3);
    assert.ok(report.completions.every(text => text.length > 0), JSON.stringify(report.completions));
    assert.equal(report.statsTokens, 3 * 12);
    assert.ok(report.benchmarkRuns > 0);

    // The trace covers both processes: the driver and the model process it forked.
    assert.ok(run.trace.programs.has(report.driverPid), describeTrace(run.trace));
    assert.match(run.trace.programs.get(report.hostPid) ?? "", /engineHost\.js/, describeTrace(run.trace));
    assert.ok(run.trace.calls.some(c => c.pid === report.hostPid), "the model process's own socket calls (its IPC channel) are traced");

    assert.deepEqual(networkCalls(run.trace).map(c => c.line), [], describeTrace(run.trace));
    recordFigure("offline: network calls during load, completions, stats, benchmark", networkCalls(run.trace).length);
  });

  it("catches the connection an explicit download attempts", async () => {
    const uri = "http://127.0.0.1:8089/models/target.gguf";
    const run = await runTracedOffline(join(dir, "trace"), DRIVER, ["--download", uri]);
    assert.equal(run.code, 0, run.stderr);
    const report = driverReport(run.stdout);
    assert.equal(report.download?.ok, false);
    assert.equal(report.download?.code, "download.failed", report.download?.message);
    // The network's own refusal, not a timer of ours running out: it failed on the first attempt.
    assert.match(report.download?.message ?? "", /cannot reach 127\.0\.0\.1:8089 \(ENETUNREACH\)/);
    recordFigure("offline: download without network reported after (ms)", report.download!.ms);

    const attempts = networkCalls(run.trace).filter(c => c.call === "connect" && c.pid === report.hostPid);
    assert.ok(attempts.some(c => c.family === "AF_INET" && c.line.includes('inet_addr("127.0.0.1")') && c.line.includes("htons(8089)")),
      describeTrace(run.trace));
  });
});
