// package.json's editor contributions: VS Code keeps only the first contribution
// of a view type, so every customEditors entry needs its own, and every view type
// needs an activation event and a registration in the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from './manifestText';

const root = path.resolve(__dirname, '..', '..');
const manifest = readManifest() as {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string; description?: string } };
  contributes: {
    customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[];
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { description?: string }> };
  };
};

test('custom editors: unique view types, default for *.img, *-flat.vmdk and container files, option for the rest and (by signature) any file', () => {
  const editors = manifest.contributes.customEditors;
  const types = editors.map((e) => e.viewType);
  assert.equal(new Set(types).size, types.length, 'a view type contributed twice is ignored by VS Code');
  const patterns = (priority: string): string[] => editors.filter((e) => e.priority === priority).flatMap((e) => e.selector.map((s) => s.filenamePattern));
  assert.deepEqual(patterns('default').sort(), ['*-flat.vmdk', '*.img', '*.qcow', '*.qcow2', '*.vdi', '*.vhd', '*.vhdx']);
  // Open With offers the editor for any file: openImage finds containers by their signatures, not their names.
  assert.deepEqual(patterns('option').sort(), ['*', '*.bin', '*.dd', '*.raw', '*.vmdk']);
  const host = fs.readFileSync(path.join(root, 'src', 'host', 'diskImageEditorProvider.ts'), 'utf8');
  for (const type of types) {
    assert.ok(manifest.activationEvents.includes(`onCustomEditor:${type}`), type);
    assert.ok(host.includes(`'${type}'`), `${type} is registered by the provider`);
  }
});

test('the Open Disk Image command, the untrusted-workspace declaration and described settings', () => {
  assert.ok(manifest.contributes.commands.some((c) => c.command === 'diskx.openImage' && /Open Disk Image/.test(c.title)));
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.ok(manifest.capabilities.untrustedWorkspaces.description);
  for (const key of ['diskx.hex.bytesPerRow', 'diskx.sectorSize']) assert.ok(manifest.contributes.configuration.properties[key]?.description, key);
});
