// Completing beside VS Code's suggest widget. VS Code hides an inline completion that does not
// extend the widget's selected item, so while the widget is open a completion must start with
// that item: the prompt is the document with the selected item inserted over its range (the part
// of the word typed so far), and the ghost text is the item followed by what the model writes
// after it. Accepting it inserts both. Moving the selection asks again; the provider's debounce
// and request gate keep only the latest selection generating, and each place, the selected item
// included, has its own cache entry, since the prompt it is keyed by holds the item.
//
// VS Code draws ghost text only as insertions at or after the cursor (editor.inlineSuggest.mode
// "subwordSmart", and suggest.previewMode likewise). An item that rewrites what its range holds,
// such as TypeScript's symbol-keyed `[Symbol]` over the `.` just typed, would need an insertion before
// the cursor, so nothing that starts with it can be drawn: such a request is answered at once
// with a reason (besideWidgetIsDrawable), without running the model.
import type {CursorPosition, LineSource} from "./context";
import {afterEdit, LineRange} from "./documentEdit";

/**
 * Whether ghost text that starts with the selected item can be drawn beside the widget: the item
 * must continue the text its range covers (`ite` → `items`), not rewrite it (`.` → `[Symbol]`,
 * `IT` → `items`).
 */
export function besideWidgetIsDrawable(rangeText: string, itemText: string): boolean {
  return itemText.startsWith(rangeText);
}

/** The document as it reads with the selected item inserted over `range`, and the cursor after the item. */
export function withSelectedItem(doc: LineSource, range: LineRange, text: string): {doc: LineSource; position: CursorPosition} {
  return afterEdit(doc, range, text);
}
