/**
 * npm run models: install every catalog file into public/models.
 *
 *   R2P_MODEL_MIRROR=../shared/models npm run models   # copy from a local mirror (CI does this)
 *   npm run models                                     # download pinned upstream files
 *   npm run models -- --offline                        # mirror only, never touch the network
 *   npm run models -- --verify                         # re-hash files that are already installed
 *
 * Exit status is non-zero only when a file was found but failed its pins (corrupt or wrong
 * size); a model with no reachable source is reported as "not installed" and the site shows that.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { MODEL_CATALOG } from '../src/models/catalog.ts';
import { ensureParts, installEntry, type InstallOutcome } from '../src/models/installer.ts';
import { MODEL_PART_BYTES } from '../src/models/parts.ts';

const args = new Set(process.argv.slice(2));
const targetDir = fileURLToPath(new URL('../public/models/', import.meta.url));
const mirrorDir = process.env.R2P_MODEL_MIRROR ? resolve(process.env.R2P_MODEL_MIRROR) : undefined;
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;

const bars = new cliProgress.MultiBar(
  { format: ' {bar} {percentage}% | {id} | {done}/{size}', hideCursor: true, noTTYOutput: false },
  cliProgress.Presets.shades_classic,
);
const active = new Map<string, cliProgress.SingleBar>();
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

console.log(`Installing models into ${targetDir}`);
console.log(mirrorDir ? `Mirror: ${mirrorDir}` : 'Mirror: none (set R2P_MODEL_MIRROR to install from a local folder)');

const outcomes: InstallOutcome[] = [];
for (const entry of MODEL_CATALOG) {
  const outcome = await installEntry(entry, {
    targetDir,
    mirrorDir,
    allowDownload: !args.has('--offline'),
    verifyExisting: args.has('--verify'),
    onProgress: interactive
      ? (id, done, total) => {
          let bar = active.get(id);
          if (!bar) {
            bar = bars.create(total ?? done, 0, { id, done: '0', size: total ? megabytes(total) : '?' });
            active.set(id, bar);
          }
          bar.update(done, { done: megabytes(done) });
        }
      : undefined,
  });
  outcomes.push(outcome);
}
bars.stop();

// Files over 25 MiB are also written as parts, which the build serves instead (src/models/parts.ts).
for (const outcome of outcomes) {
  if (outcome.status !== 'installed' && outcome.status !== 'already-installed') continue;
  const entry = MODEL_CATALOG.find((candidate) => candidate.id === outcome.id)!;
  try {
    const written = await ensureParts(entry, targetDir, outcome.status === 'installed');
    if (written > 0) console.log(`  split ${entry.id} into ${written} parts of at most ${MODEL_PART_BYTES / 2 ** 20} MiB`);
  } catch (error) {
    console.log(`  FAILED to split ${entry.id}: ${(error as Error).message}`);
    outcomes.push({ id: entry.id, status: 'failed', reason: (error as Error).message });
  }
}

const width = Math.max(...outcomes.map((outcome) => outcome.id.length));
for (const outcome of outcomes) {
  const label = outcome.id.padEnd(width);
  switch (outcome.status) {
    case 'installed':
      console.log(`  installed      ${label}  ${megabytes(outcome.bytes)} from ${outcome.source}`);
      break;
    case 'already-installed':
      console.log(`  installed      ${label}  ${megabytes(outcome.bytes)} (already present)`);
      break;
    case 'not-installed':
      console.log(`  not installed  ${label}  ${outcome.reason}`);
      break;
    case 'failed':
      console.log(`  FAILED         ${label}  ${outcome.reason}`);
      break;
  }
}
const failed = outcomes.filter((outcome) => outcome.status === 'failed');
const installed = outcomes.filter((outcome) => outcome.status === 'installed' || outcome.status === 'already-installed');
console.log(`${installed.length} of ${outcomes.length} catalog files installed; ${failed.length} failed verification.`);
if (failed.length > 0) process.exitCode = 1;
