// Reliability figures measured inside the extension host, printed as one line each so that the
// runner (test/reliability/extensionHost.test.ts) can collect them for the summary table.
export const FIGURE_PREFIX = "DRAFTSTOP-FIGURE ";

export function reportFigure(name: string, value: string | number): void {
  console.log(`${FIGURE_PREFIX}${JSON.stringify({name, value})}`);
}
