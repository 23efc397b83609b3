// HTML text escaping for markup built as strings (hex rows, table cells). Pure: no DOM.

/** Text made safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
