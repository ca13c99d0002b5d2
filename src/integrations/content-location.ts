/**
 * Where the content lives. R2P_STUDIES_DIR and R2P_PAPERS_FILE let the tests build a fixture
 * site (for example one with a deliberate mistake) without touching the published content.
 */
import { isAbsolute, join } from 'node:path';
import type { ContentLocation } from '../schema/validate.ts';

export function contentLocation(root: string, env: Record<string, string | undefined> = process.env): ContentLocation {
  const resolve = (path: string) => (isAbsolute(path) ? path : join(root, path));
  return {
    root,
    studiesDir: resolve(env.R2P_STUDIES_DIR ?? 'src/content/studies'),
    papersFile: resolve(env.R2P_PAPERS_FILE ?? 'src/content/papers.yaml'),
  };
}
