// The comparison webview's HTML shell: the same strict CSP as the editor
// (default-src 'none', a nonce for our one script and stylesheet, no eval, no
// inline code, local resources only). Pure so tests can check it.
import { contentSecurityPolicy, htmlLanguage, stringsBlock } from '../webviewHtml';
import type { StringTable } from '../../shared/l10n';
import { escapeHtml } from '../../shared/html';

export interface CompareHtmlResources {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  /** Tab title, e.g. "a.img ↔ b.img" (escaped here). */
  title: string;
  /** The page's language and localised strings, as for the editor (webviewHtml.ts). */
  language?: string;
  strings?: StringTable;
}

export function compareHtml(r: CompareHtmlResources): string {
  return `<!DOCTYPE html>
<html lang="${htmlLanguage(r.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(r.cspSource, r.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(r.styleUri)}" nonce="${r.nonce}">
<title>${escapeHtml(r.title)}</title>
</head>
<body>
${stringsBlock(r.strings)}<script nonce="${r.nonce}" src="${escapeHtml(r.scriptUri)}"></script>
</body>
</html>`;
}
