/**
 * Which catalog files this build can serve: a file counts as installed when it exists in
 * public/models with the pinned size. (The installer verified its sha256 when it wrote it; the
 * browser verifies it again before use.) Build-time only.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_CATALOG, type ModelEntry } from './catalog.ts';

export const INSTALLED_MODELS_DIR = join(process.cwd(), 'public', 'models');

export function isInstalled(entry: ModelEntry, dir = INSTALLED_MODELS_DIR): boolean {
  const path = join(dir, entry.file);
  if (!existsSync(path)) return false;
  return entry.bytes === null || statSync(path).size === entry.bytes;
}

/** Ids of every installed catalog file. */
export function installedModelIds(dir = INSTALLED_MODELS_DIR): Set<string> {
  return new Set(MODEL_CATALOG.filter((entry) => isInstalled(entry, dir)).map((entry) => entry.id));
}
