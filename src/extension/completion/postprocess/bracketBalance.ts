// How unbalanced a piece of code is: for each bracket pair the size of its surplus of openers or
// closers, plus one for each quote character that appears an odd number of times. Text outside
// the snippet is unknown, so this is only ever used to compare two variants of the same line.
const PAIRS: ReadonlyArray<readonly [string, string]> = [["(", ")"], ["[", "]"], ["{", "}"]];
const QUOTES = ["\"", "'", "`"];

export function bracketImbalance(text: string): number {
  let imbalance = 0;
  for (const [open, close] of PAIRS) imbalance += Math.abs(count(text, open) - count(text, close));
  for (const quote of QUOTES) imbalance += count(text, quote) % 2;
  return imbalance;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}
