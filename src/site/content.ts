/**
 * Queries over the content collections, shared by pages. Drafts are visible in `astro dev` and
 * left out of production builds.
 */
import { getCollection, type CollectionEntry } from 'astro:content';
import type { Paper } from '../schema/study.ts';

export type StudyEntry = CollectionEntry<'studies'>;

export const SHOW_DRAFTS = import.meta.env.DEV;

/** Studies to publish, ordered by model year then title. */
export async function getStudies(): Promise<StudyEntry[]> {
  const studies = await getCollection('studies', (entry) => SHOW_DRAFTS || entry.data.status === 'published');
  return studies.sort((a, b) => a.data.model.year - b.data.model.year || a.data.title.localeCompare(b.data.title));
}

/** Papers by id. */
export async function getPapers(): Promise<Map<string, Paper>> {
  const papers = await getCollection('papers');
  return new Map(papers.map((entry) => [entry.data.id, entry.data]));
}

/** The papers a study cites, in its references order; throws on an unknown id (fails the build). */
export function studyPapers(study: StudyEntry, papers: Map<string, Paper>): Paper[] {
  return study.data.references.map((id) => {
    const paper = papers.get(id);
    if (!paper) throw new Error(`${study.filePath ?? study.id}: references: unknown paper id "${id}"`);
    return paper;
  });
}

/** Which studies cite each paper id. */
export function citingStudies(studies: StudyEntry[]): Map<string, StudyEntry[]> {
  const byPaper = new Map<string, StudyEntry[]>();
  for (const study of studies) {
    for (const id of study.data.references) byPaper.set(id, [...(byPaper.get(id) ?? []), study]);
  }
  return byPaper;
}
