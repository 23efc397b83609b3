// HTML text escaping for markup built as strings (hex rows, table cells): the
// one implementation in src/shared/html.ts, which the host's page shells use too.
export { escapeHtml } from '../src/shared/html';
