/**
 * Build-start rendering of the generated diagrams (the home page's overview, and the ```mermaid
 * blocks authors write in published studies; the steps and lineage figures are HTML since issue 17). The r2p integration
 * starts it when `astro build` starts, so Chromium draws diagrams while Vite is still bundling;
 * the study pages then find them in flight or in the disk cache (see mermaid-render.ts). It reads
 * the studies from disk (the content layer is not ready yet) with the same schema the collection
 * uses, and computes the same sources as loadStudyPage(): a study whose sources differed would
 * only lose the head start, never get a wrong diagram, since diagrams are keyed by their source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { studySchema, type Study } from '../schema/study.ts';
import { readFrontmatter, type ContentLocation } from '../schema/validate.ts';
import { overviewDiagram } from './diagrams.ts';
import { prerenderMermaid } from './mermaid-render.ts';

/** The studies a production build publishes, in the order the pages are built (year, then title), with their MDX bodies. */
export function publishedStudiesOnDisk(location: ContentLocation): { study: Study; body: string }[] {
  const studies: { study: Study; body: string }[] = [];
  for (const name of readdirSync(location.studiesDir).filter((file) => file.endsWith('.mdx'))) {
    const { data, body } = readFrontmatter(readFileSync(join(location.studiesDir, name), 'utf8'));
    const parsed = studySchema.safeParse(data);
    // Invalid studies have already failed the build with a friendly message.
    if (parsed.success && parsed.data.status === 'published') studies.push({ study: parsed.data, body });
  }
  return studies.sort((a, b) => a.study.model.year - b.study.model.year || a.study.title.localeCompare(b.study.title));
}

/** The home page's diagram, then every ```mermaid block of the published studies, in build order. */
export function studyDiagramSources(location: ContentLocation): string[] {
  const sources: string[] = [overviewDiagram().source];
  for (const { body } of publishedStudiesOnDisk(location)) {
    for (const match of body.matchAll(/^```mermaid[^\n]*\n([\s\S]*?)^```/gm)) sources.push(match[1]!);
  }
  return sources;
}

/** Render the site's generated diagrams ahead of the pages; resolves with the SVG count. */
export function prerenderStudyDiagrams(location: ContentLocation): Promise<number> {
  return prerenderMermaid(studyDiagramSources(location));
}
