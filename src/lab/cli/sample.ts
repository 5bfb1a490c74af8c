// The sample file that npm start opens, and the two places where it suggests trying Draftstop.
// The end-to-end browser test (test/e2e/workbench.test.ts) completes at both, so what this file
// promises is checked.
export const SAMPLE_FILE = `// A sample file to try Draftstop (SmolLM2-135M with its draft, running on this machine).
// 1. Put the cursor at the end of the line "    n += " in count() below: ghost text appears
//    (Tab accepts it, Esc dismisses it).
// 2. On the empty line under "const dx = b.x - a.x;" in distance(), type "const dy = ".
// Alt+\\ asks for a suggestion anywhere; the ⚡ status bar item opens the statistics.

export interface Point {
  x: number;
  y: number;
}

export function distance(a: Point, b: Point): number {
  const dx = b.x - a.x;
  
  return Math.sqrt(dx * dx + dy * dy);
}

export interface Item {
  name: string;
  price: number;
  count: number;
}

export function total(items: Item[]): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.count;
  }
  return sum;
}

export function count(items: Item[]): number {
  let n = 0;
  for (const item of items) {
    n += 
  }
  return n;
}
`;

/** 1-based line and column of the end of a line of the sample that starts with `start`. */
export function sampleLineEnd(start: string): {line: number; column: number} {
  const lines = SAMPLE_FILE.split("\n");
  const index = lines.findIndex(line => line.startsWith(start));
  if (index < 0) throw new Error(`the sample has no line starting with ${JSON.stringify(start)}`);
  return {line: index + 1, column: lines[index]!.length + 1};
}

/** Where the sample suggests completing, and what SmolLM2 writes there (greedy, checked by the e2e test). */
export const SAMPLE_SUGGESTIONS = {
  count: {lineStart: "    n += ", expectedFirstLine: "item.count;"},
  distance: {lineStart: "  const dx = b.x - a.x;", typed: "const dy = ", expectedFirstLine: "b.y - a.y;"}
} as const;
