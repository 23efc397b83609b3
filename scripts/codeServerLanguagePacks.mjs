// Language packs for a code-server started by scripts/codeServer.mjs (the e2e test
// of `--locale ja`). A pack folder is packaged as a .vsix (@vscode/vsce, a dev
// dependency) and installed with `code-server --install-extension`, the way a user
// installs a downloaded pack.
//
// VS Code picks the display language from `languagepacks.json` in the user data
// folder, which its language-pack service writes when a pack is installed from the
// workbench. The command-line install does not run that service (upstream issue
// microsoft/vscode#237663; code-server #3372, #4735: "no languagepacks.json after
// --install-extension"), so `--locale ja` would still resolve to English. After the
// install we write that file from the installed packs' `contributes.localizations`,
// with the fields and hash the service itself computes.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Packages each folder in `packDirs` into `outDir` as PUBLISHER.NAME-VERSION.vsix with vsce; returns the files. */
export function packageLanguagePacks(packDirs, outDir, repoRoot) {
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  fs.mkdirSync(outDir, { recursive: true });
  return packDirs.map((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!manifest.contributes?.localizations?.length) throw new Error(`${dir} is not a language pack (no contributes.localizations)`);
    const file = path.join(outDir, `${manifest.publisher}.${manifest.name}-${manifest.version}.vsix`);
    const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', file];
    const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0 || !fs.existsSync(file))
      throw new Error(`vsce package in ${dir} failed (exit ${result.status}):\n${`${result.stdout ?? ''}${result.stderr ?? ''}`.trim().slice(-2000)}`);
    return file;
  });
}

/**
 * Writes USERDATA/languagepacks.json for the language packs installed in
 * `extensionsDir` (listed in its extensions.json by the install); returns the
 * language ids it made available.
 */
export function registerLanguagePacks(userDataDir, extensionsDir) {
  const listFile = path.join(extensionsDir, 'extensions.json');
  const installed = fs.existsSync(listFile) ? JSON.parse(fs.readFileSync(listFile, 'utf8')) : [];
  const packs = {};
  for (const entry of installed) {
    const location = entry.location?.fsPath ?? path.join(extensionsDir, entry.relativeLocation ?? '');
    const manifestFile = path.join(location, 'package.json');
    if (!fs.existsSync(manifestFile)) continue;
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    for (const localization of manifest.contributes?.localizations ?? []) {
      if (typeof localization.languageId !== 'string' || !Array.isArray(localization.translations)) continue;
      const pack = (packs[localization.languageId] ??= {
        hash: '',
        extensions: [],
        translations: {},
        label: localization.localizedLanguageName ?? localization.languageName,
      });
      pack.extensions.push({ extensionIdentifier: entry.identifier, version: entry.version });
      for (const translation of localization.translations) pack.translations[translation.id] = path.join(location, translation.path);
    }
  }
  for (const pack of Object.values(packs)) {
    const hash = crypto.createHash('md5');
    for (const extension of pack.extensions) hash.update(extension.extensionIdentifier.uuid || extension.extensionIdentifier.id).update(extension.version);
    pack.hash = hash.digest('hex');
  }
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
  return Object.keys(packs);
}
