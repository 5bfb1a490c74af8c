// The reliability figures, printed as one table when the run ends (a mocha root hook: load this
// file with --require).
const figures: Array<{name: string; value: string}> = [];

export function recordFigure(name: string, value: string | number): void {
  figures.push({name, value: String(value)});
}

export const mochaHooks = {
  afterAll(): void {
    if (figures.length === 0) return;
    const width = Math.max(...figures.map(f => f.name.length));
    const lines = figures.map(f => `  ${f.name.padEnd(width)}  ${f.value}`);
    process.stdout.write(`\nReliability figures\n${"-".repeat(width + 14)}\n${lines.join("\n")}\n`);
  }
};
