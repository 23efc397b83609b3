// Escaping for text put into HTML, shared by the host's page shells and the
// webviews' renderers. Pure: no DOM.

/** Text for HTML element content or attribute values (& < > " ' as character references). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
