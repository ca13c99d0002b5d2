/**
 * The model installer's logic, separate from its command line (scripts/install-models.ts) so the
 * tests can drive it. For every catalog entry it takes the file from a mirror folder, or else
 * downloads it from the pinned upstream URLs, and checks its size and sha256. Files are written
 * to a temporary name and renamed only once verified, so a failure never leaves a partial or
 * corrupt file where the site would serve it.
 *
 * A production variant (an entry with `variant`) is copied from the mirror when the mirror has
 * it, and otherwise derived from its installed fp32 parent with the pure transforms in
 * src/models/variants/; the derived bytes go through the same pins and the same temp + rename.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getModel, type ModelEntry } from './catalog.ts';
import { modelParts } from './parts.ts';
import type { CalibrationTable } from './variants/calibrate.ts';
import { deriveFile } from './variants/expose-output.ts';
import type { ActivationRanges } from './variants/transforms.ts';

/** What happened to one catalog entry. */
export type InstallOutcome =
  | { id: string; status: 'installed'; source: string; bytes: number }
  | { id: string; status: 'already-installed'; bytes: number }
  | { id: string; status: 'not-installed'; reason: string }
  | { id: string; status: 'failed'; reason: string };

export interface InstallOptions {
  /** Folder that the site serves models from (public/models). */
  targetDir: string;
  /** Local mirror folder (R2P_MODEL_MIRROR), or undefined to use upstream URLs only. */
  mirrorDir?: string;
  /** Whether to try upstream URLs when the mirror lacks a file. */
  allowDownload: boolean;
  /** Re-verify files that are already installed (default: trust size, re-hash only on mismatch). */
  verifyExisting?: boolean;
  /** Progress callback: bytes done of total (total null when unknown). */
  onProgress?: (id: string, done: number, total: number | null) => void;
  /** Injected fetch, for tests. */
  fetchImpl?: typeof fetch;
  /** Repository root, where variant calibration tables live (default: the working directory). */
  repoRoot?: string;
  /** Injected derivation, for tests (default: deriveFile, which covers variants and features files). */
  derive?: typeof deriveFile;
}

/**
 * A committed calibration table, checked against the parent it was measured on: ranges measured
 * on other weights would quantise these ones wrongly.
 */
export function loadCalibration(path: string, repoRoot: string, parent: ModelEntry): ActivationRanges {
  const table = JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as CalibrationTable;
  if (table.parent !== parent.id || table.parentSha256 !== parent.sha256) {
    throw new Error(`calibration table ${path} was measured on ${table.parent} (sha256 ${table.parentSha256}), not on this parent`);
  }
  return table.ranges;
}

/** The sha256 of a file on disk, as lower-case hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Check an installed file against its pins; returns null when it matches, else the reason. */
export async function checkFile(entry: ModelEntry, path: string): Promise<string | null> {
  if (!existsSync(path)) return `${path} does not exist`;
  const { size } = await stat(path);
  if (entry.bytes !== null && size !== entry.bytes) {
    return `size mismatch: expected ${entry.bytes} bytes, found ${size}`;
  }
  const digest = await sha256File(path);
  if (digest !== entry.sha256) return `sha256 mismatch: expected ${entry.sha256}, found ${digest}`;
  return null;
}

/**
 * Stream `source` into `destination` through a temporary file, hashing and counting on the
 * way; rename into place only if size and sha256 match the pins.
 */
async function writeVerified(
  entry: ModelEntry,
  source: Readable,
  destination: string,
  total: number | null,
  onProgress?: InstallOptions['onProgress'],
): Promise<number> {
  await mkdir(dirname(destination), { recursive: true });
  const temporary = `${destination}.${process.pid}.${Date.now()}.tmp`;
  const hash = createHash('sha256');
  let done = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      done += chunk.length;
      onProgress?.(entry.id, done, total);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(temporary));
    if (entry.bytes !== null && done !== entry.bytes) {
      throw new Error(`size mismatch: expected ${entry.bytes} bytes, got ${done}`);
    }
    const digest = hash.digest('hex');
    if (digest !== entry.sha256) throw new Error(`sha256 mismatch: expected ${entry.sha256}, got ${digest}`);
    await rename(temporary, destination);
    return done;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Install one entry: keep a verified existing file, else mirror, else upstream. */
export async function installEntry(entry: ModelEntry, options: InstallOptions): Promise<InstallOutcome> {
  const destination = join(options.targetDir, entry.file);
  if (existsSync(destination)) {
    const { size } = await stat(destination);
    const sizeOk = entry.bytes === null || size === entry.bytes;
    const problem = sizeOk && !options.verifyExisting ? null : await checkFile(entry, destination);
    if (problem === null) return { id: entry.id, status: 'already-installed', bytes: size };
    // A corrupt or stale file is removed so the site never serves it.
    await rm(destination, { force: true });
  }

  const failures: string[] = [];
  if (options.mirrorDir) {
    const mirrored = join(options.mirrorDir, entry.file);
    if ((entry.variant || entry.features) && !existsSync(mirrored)) {
      // Variants are normally derived, not mirrored: a mirror without one is not a failure.
    } else if (existsSync(mirrored)) {
      try {
        const { size } = await stat(mirrored);
        const bytes = await writeVerified(entry, createReadStream(mirrored), destination, size, options.onProgress);
        return { id: entry.id, status: 'installed', source: mirrored, bytes };
      } catch (error) {
        failures.push(`mirror ${mirrored}: ${(error as Error).message}`);
      }
    } else {
      failures.push(`not in mirror ${options.mirrorDir}`);
    }
  }

  if (entry.variant || entry.features) return deriveEntry(entry, destination, options, failures);

  if (options.allowDownload) {
    const fetchImpl = options.fetchImpl ?? fetch;
    for (const url of entry.upstream) {
      try {
        const response = await fetchImpl(url, { signal: AbortSignal.timeout(10 * 60_000) });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        const length = Number(response.headers.get('content-length')) || entry.bytes;
        const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
        const bytes = await writeVerified(entry, body, destination, length, options.onProgress);
        return { id: entry.id, status: 'installed', source: url, bytes };
      } catch (error) {
        const cause = (error as Error & { cause?: Error }).cause;
        failures.push(`${url}: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
      }
    }
  }

  if (entry.upstream.length === 0 && !options.mirrorDir) {
    return { id: entry.id, status: 'not-installed', reason: 'mirror-only file and R2P_MODEL_MIRROR is not set' };
  }
  if (failures.length === 0) failures.push('no source to install from');
  const corrupt = failures.some((failure) => failure.includes('mismatch'));
  return { id: entry.id, status: corrupt ? 'failed' : 'not-installed', reason: failures.join('; ') };
}

/** Derive a variant from its installed parent, verify it against its own pins, rename into place. */
async function deriveEntry(entry: ModelEntry, destination: string, options: InstallOptions, failures: string[]): Promise<InstallOutcome> {
  const info = (entry.variant ?? entry.features)!;
  const parent = getModel(info.parent);
  const refuse = (status: 'failed' | 'not-installed', reason: string): InstallOutcome => ({
    id: entry.id,
    status,
    reason: [...failures, `variant ${entry.id} of ${parent.id}: ${reason}`].join('; '),
  });
  const parentPath = join(options.targetDir, parent.file);
  if (!existsSync(parentPath)) return refuse('not-installed', `its parent ${parent.id} is not installed, so it cannot be derived`);
  let bytes: Uint8Array;
  const started = performance.now();
  try {
    const parentBytes = await readFile(parentPath);
    if (parent.bytes !== null && parentBytes.length !== parent.bytes)
      throw new Error(`parent file ${parentPath} has ${parentBytes.length} bytes, expected ${parent.bytes}`);
    const ranges =
      info.transform.kind === 'int8-qdq'
        ? loadCalibration(info.transform.calibration, options.repoRoot ?? process.cwd(), parent)
        : undefined;
    bytes = (options.derive ?? deriveFile)(parentBytes, info.transform, ranges);
  } catch (error) {
    return refuse('failed', `derivation failed: ${(error as Error).message}`);
  }
  try {
    const written = await writeVerified(
      entry,
      Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
      destination,
      bytes.length,
      options.onProgress,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return {
      id: entry.id,
      status: 'installed',
      source: `${parent.id} (derived: ${info.transform.kind} in ${seconds} s)`,
      bytes: written,
    };
  } catch (error) {
    return refuse(
      'failed',
      `the derived file does not match its pins (${(error as Error).message}); the catalog entry and the transforms disagree`,
    );
  }
}

/**
 * Write the parts of an installed file that is served in parts (src/models/parts.ts), each
 * through a temporary name. Parts are slices of the verified whole, so they need no pins of
 * their own: the browser verifies the joined whole. Existing parts of the right size are kept
 * unless `rewrite` (the whole was just installed). Returns the number of parts written.
 */
export async function ensureParts(entry: ModelEntry, targetDir: string, rewrite = false): Promise<number> {
  const parts = modelParts(entry);
  if (parts.length === 0) return 0;
  const wholePath = join(targetDir, entry.file);
  const current = await Promise.all(
    parts.map(
      async (part) => existsSync(join(targetDir, part.file)) && (await stat(join(targetDir, part.file))).size === part.end - part.start,
    ),
  );
  if (!rewrite && current.every(Boolean)) return 0;
  const whole = await readFile(wholePath);
  if (whole.length !== entry.bytes) throw new Error(`${wholePath} has ${whole.length} bytes, expected ${entry.bytes}: not splitting it`);
  for (const part of parts) {
    const destination = join(targetDir, part.file);
    const temporary = `${destination}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, whole.subarray(part.start, part.end));
      await rename(temporary, destination);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return parts.length;
}
