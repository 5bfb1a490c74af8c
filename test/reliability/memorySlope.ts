// Memory growth as a slope: the least-squares line through resident memory sampled after a GC at
// many points of a run. One sample before and one after read +4.7 % and −10.7 % on two runs of the
// same session (the allocator returns memory to the system when it likes), so a threshold on their
// difference was a coin toss that could not see a real leak either (issue 31).

/** Bytes per completion of the least-squares line through the samples. */
export function slopePerCompletion(samples: ReadonlyArray<{completions: number; bytes: number}>): number {
  const n = samples.length;
  if (n < 2) throw new Error("a slope needs two samples at least");
  const mx = samples.reduce((s, p) => s + p.completions, 0) / n;
  const my = samples.reduce((s, p) => s + p.bytes, 0) / n;
  let sxy = 0, sxx = 0;
  for (const p of samples) {
    sxy += (p.completions - mx) * (p.bytes - my);
    sxx += (p.completions - mx) ** 2;
  }
  return sxy / sxx;
}
