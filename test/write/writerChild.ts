// Child process for the concurrent-writer tests: applies a plan (or undoes the
// last repair) and can stop at step N until the parent says go, then SIGKILL
// itself there, as a power cut or `kill -9` would. Marker files tell the parent
// where it is: NAME.paused (at step N), NAME.waiting (waiting for the lock).
// Usage: node --import tsx writerChild.ts apply|undo IMAGE PLAN.json KILL_AFTER PAUSE_AT MARKER_DIR NAME
//   KILL_AFTER / PAUSE_AT = 0: never.
import fs from 'node:fs';
import path from 'node:path';
import { applyPlans, undoLast } from '../../src/core/write/index';
import type { WriteStep } from '../../src/core/write/index';
import { planFromJson } from './helpers';

const [mode, image, planFile, killAfter, pauseAt, markerDir, name] = process.argv.slice(2);
const marker = (what: string): string => path.join(markerDir!, `${name}.${what}`);
const steps: string[] = [];
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const onStep = (step: WriteStep, index: number): void => {
  steps.push(step.kind);
  if (index === Number(pauseAt)) {
    fs.writeFileSync(marker('paused'), step.kind);
    // Block this (only) thread until the parent lets us go on: the lock stays held meanwhile.
    while (!fs.existsSync(marker('go'))) Atomics.wait(sleeper, 0, 0, 5);
  }
  if (index === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
};
const options = { onStep, lockWaitMs: 120_000, tool: `test writer ${name}`, onWait: () => fs.writeFileSync(marker('waiting'), '') };

async function main(): Promise<void> {
  if (mode === 'apply') {
    const result = await applyPlans(image!, [planFromJson(JSON.parse(fs.readFileSync(planFile!, 'utf8')))], { sectorSize: 512, ...options });
    process.stdout.write(JSON.stringify({ steps, entryId: result.entryId }) + '\n');
  } else {
    const result = await undoLast(image!, options);
    process.stdout.write(JSON.stringify({ steps, entryId: result.entryId }) + '\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.name : 'Error'}: ${String(error instanceof Error ? error.message : error)}\n`);
  process.exitCode = 3;
});
