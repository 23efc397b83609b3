// Child process for the crash tests: applies a plan (or undoes the last repair)
// and SIGKILLs itself right after step N, as a power cut or `kill -9` would.
// Usage: node --import tsx crashChild.ts apply|undo IMAGE PLAN.json N  (N = 0: never)
import fs from 'node:fs';
import { applyPlans, undoLast } from '../../src/core/write/index';
import type { WriteStep } from '../../src/core/write/index';
import { planFromJson } from './helpers';

const [mode, image, planFile, killAfter] = process.argv.slice(2);
const stopAt = Number(killAfter);
const steps: string[] = [];
const onStep = (step: WriteStep, index: number): void => {
  steps.push(step.kind);
  if (index === stopAt) process.kill(process.pid, 'SIGKILL');
};

async function main(): Promise<void> {
  if (mode === 'apply') {
    await applyPlans(image!, [planFromJson(JSON.parse(fs.readFileSync(planFile!, 'utf8')))], { sectorSize: 512, onStep });
  } else {
    await undoLast(image!, { onStep });
  }
  process.stdout.write(JSON.stringify({ steps }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 3;
});
