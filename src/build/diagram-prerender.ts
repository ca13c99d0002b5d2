/**
 * Build-start rendering of every published study's two generated diagrams. The r2p integration
 * starts it when `astro build` starts, so Chromium draws diagrams while Vite is still bundling;
 * the study pages then find them in flight or in the disk cache (see mermaid-render.ts). It reads
 * the studies from disk (the content layer is not ready yet) with the same schema the collection
 * uses, and computes the same sources as loadStudyPage(): a study whose sources differed would
 * only lose the head start, never get a wrong diagram, since diagrams are keyed by their source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { studySchema, type Study } from '../schema/study.ts';
import { readFrontmatter, validatePapersSource, type ContentLocation } from '../schema/validate.ts';
import { lineageDiagram, overviewDiagram, stepsDiagram } from './diagrams.ts';
import { prerenderMermaid } from './mermaid-render.ts';

/** The studies a production build publishes, in the order the pages are built (year, then title). */
export function publishedStudiesOnDisk(location: ContentLocation): Study[] {
  const studies: Study[] = [];
  for (const name of readdirSync(location.studiesDir).filter((file) => file.endsWith('.mdx'))) {
    const parsed = studySchema.safeParse(readFrontmatter(readFileSync(join(location.studiesDir, name), 'utf8')).data);
    // Invalid studies have already failed the build with a friendly message.
    if (parsed.success && parsed.data.status === 'published') studies.push(parsed.data);
  }
  return studies.sort((a, b) => a.model.year - b.model.year || a.title.localeCompare(b.title));
}

/** The home page's diagram, then the steps and lineage diagrams of every published study, in build order. */
export function studyDiagramSources(location: ContentLocation): string[] {
  const { papers } = validatePapersSource(location.papersFile, readFileSync(location.papersFile, 'utf8'));
  const byId = new Map(papers.map((paper) => [paper.id, paper]));
  const sources: string[] = [overviewDiagram().source];
  for (const study of publishedStudiesOnDisk(location)) {
    sources.push(stepsDiagram(study).source);
    try {
      sources.push(lineageDiagram(study, byId).source);
    } catch {
      // An unknown paper fails the page build with its own message; nothing to prerender.
    }
  }
  return sources;
}

/** Render the site's generated diagrams ahead of the pages; resolves with the SVG count. */
export function prerenderStudyDiagrams(location: ContentLocation): Promise<number> {
  return prerenderMermaid(studyDiagramSources(location));
}
