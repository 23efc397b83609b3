// The comparison webview's HTML shell: the same strict CSP as the editor
// (default-src 'none', a nonce for our one script and stylesheet, no eval, no
// inline code, local resources only). Pure so tests can check it.
import { htmlPage } from '../webviewHtml';
import type { StringTable } from '../../shared/l10n';

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
  return htmlPage(r);
}
