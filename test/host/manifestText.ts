// package.json as VS Code shows it in English: every "%key%" replaced by its
// text from package.nls.json (the default language's strings).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The manifest with its `%key%` strings resolved from package.nls.json (or package.nls.<language>.json). */
export function readManifest(language?: string): unknown {
  const nls = JSON.parse(fs.readFileSync(path.join(root, language ? `package.nls.${language}.json` : 'package.nls.json'), 'utf8')) as Record<string, string>;
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'), (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const match = /^%([^%]+)%$/.exec(value);
    return match && Object.prototype.hasOwnProperty.call(nls, match[1]!) ? nls[match[1]!] : value;
  });
}
