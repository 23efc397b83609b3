// The first-run walkthrough: its steps make the sample, show the finding, preview
// and apply the fix, save; every button runs a command that exists (ours are
// contributed and registered), every step has its picture in media/ (which the
// .vsix ships) and finishes on the command its button runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from './manifestText';

const root = path.resolve(__dirname, '..', '..');
interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string; markdown?: string; altText?: string };
  completionEvents: string[];
}
const manifest = readManifest() as {
  activationEvents: string[];
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; title: string; description: string; steps: Step[] }[] };
};
const host = fs
  .readdirSync(path.join(root, 'src', 'host'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => fs.readFileSync(path.join(root, 'src', 'host', f), 'utf8'))
  .join('\n');

test('walkthrough: sample image, finding, fix preview and apply, save; buttons run real commands', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough, 'contributes.walkthroughs');
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ['makeSample', 'showFinding', 'previewFix', 'save'],
  );
  const ours = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const step of walkthrough.steps) {
    assert.ok(step.title && !step.title.startsWith('%'), `${step.id}: title resolved from package.nls.json`);
    const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
    assert.equal(buttons.length, 1, `${step.id} has one button`);
    const command = buttons[0]!;
    if (command.startsWith('diskx.')) {
      assert.ok(ours.has(command), `${command} is contributed`);
      assert.ok(host.includes(`'${command}'`), `${command} is registered`);
      assert.ok(manifest.activationEvents.includes(`onCommand:${command}`), `${command} activates the extension`);
    }
    assert.equal(step.completionEvents[0], `onCommand:${command}`, `${step.id} completes when its button runs`);
    const media = step.media.image ?? step.media.markdown;
    assert.ok(media && fs.existsSync(path.join(root, media)), `${step.id}: ${media} exists`);
    assert.match(media, /^media\//, 'the .vsix ships media/');
    assert.ok(step.media.altText, `${step.id}: the picture has a text alternative`);
  }
  assert.equal(walkthrough.steps[0]!.description.includes('command:diskx.createSampleImage'), true);
  // Save: our command (it saves the image editor even with the walkthrough's tab in front, where File: Save
  // saves nothing); Ctrl+S in the editor (File: Save) completes the step too.
  const save = walkthrough.steps.find((s) => s.id === 'save')!;
  assert.match(save.description, /\]\(command:diskx\.saveImage\)/);
  assert.deepEqual(save.completionEvents, ['onCommand:diskx.saveImage', 'onCommand:workbench.action.files.save']);
  for (const step of walkthrough.steps.filter((s) => s.id !== 'save')) assert.equal(step.completionEvents.length, 1, step.id);
});
