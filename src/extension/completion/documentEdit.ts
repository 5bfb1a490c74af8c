// A document as it will be after an edit, read through the same LineSource the provider reads the
// real one with, without copying it: the accepted completion a prefetch completes after
// (prefetch.ts), the suggest widget's selected item a completion continues (suggestWidget.ts).
import type {CursorPosition, LineSource} from "./context";

export interface LineRange {
  start: CursorPosition;
  end: CursorPosition;
}

/** `doc` with `range` replaced by `text`, and the position right after the inserted text. */
export function afterEdit(doc: LineSource, range: LineRange, text: string): {doc: LineSource; position: CursorPosition} {
  const inserted = text.split(/\r\n|\r|\n/);
  const before = doc.lineAt(range.start.line).slice(0, range.start.character);
  const after = doc.lineAt(range.end.line).slice(range.end.character);
  const changed = inserted.map((part, i) => (i === 0 ? before : "") + part + (i === inserted.length - 1 ? after : ""));
  const first = range.start.line;
  const removed = range.end.line - range.start.line;
  const shift = changed.length - 1 - removed;
  return {
    doc: {
      lineCount: doc.lineCount + shift,
      lineAt: l => l < first ? doc.lineAt(l) : l < first + changed.length ? changed[l - first]! : doc.lineAt(l - shift)
    },
    position: {line: first + changed.length - 1, character: (changed.length === 1 ? before.length : 0) + inserted.at(-1)!.length}
  };
}
