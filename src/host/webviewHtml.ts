// The webview's HTML shell: a strict CSP (default-src 'none', nonce for our one
// script and stylesheet, no eval, no inline code) and local resources only.
// Pure so tests can check the CSP; the host passes the webview's URIs in. The
// first init may ride along as a JSON data block (type application/json: never
// executed, so the CSP needs no exception for it).
import { EMBEDDED_INIT_ID } from '../shared/protocol/editor';
import { L10N_DATA_ID, encodeStringTable } from '../shared/l10n';
import type { StringTable } from '../shared/l10n';
import { escapeHtml } from '../shared/html';

export interface HtmlResources {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  /** The first init as encodeEmbeddedInit made it: put in a JSON data block, so the view paints without a round trip. */
  embeddedInit?: string;
  /** The page's language (`<html lang>`), from vscode.env.language. */
  language?: string;
  /** The localised strings (vscode.l10n.bundle); left out for English. */
  strings?: StringTable;
}

/** `<html lang>` value: a BCP 47 tag such as `ja` or `zh-cn`, anything else is `en`. */
export function htmlLanguage(language: string | undefined): string {
  return language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : 'en';
}

/** The string table as a JSON data block (never executed), placed before the script that reads it; empty for none. */
export function stringsBlock(strings: StringTable | undefined): string {
  return strings && Object.keys(strings).length > 0 ? `<script type="application/json" id="${L10N_DATA_ID}">${encodeStringTable(strings)}</script>\n` : '';
}

/** A nonce for the CSP: 32 characters from a cryptographic source. */
export function makeNonce(random: (bytes: number) => Uint8Array): string {
  return Array.from(random(24), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[b & 63]).join('');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`, `img-src ${cspSource}`].join(
    '; ',
  );
}

/** The page shell both webviews use: `<head>` with the CSP, the stylesheet and the title, then the data blocks and the one script. */
export function htmlPage(r: Omit<HtmlResources, 'embeddedInit'> & { title: string; dataBlocks?: string }): string {
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
${stringsBlock(r.strings)}${r.dataBlocks ?? ''}<script nonce="${r.nonce}" src="${escapeHtml(r.scriptUri)}"></script>
</body>
</html>`;
}

export function webviewHtml(r: HtmlResources): string {
  const { embeddedInit, ...rest } = r;
  return htmlPage({
    ...rest,
    title: 'Disk Structure Explorer',
    dataBlocks: embeddedInit === undefined ? '' : `<script type="application/json" id="${EMBEDDED_INIT_ID}">${embeddedInit}</script>\n`,
  });
}
