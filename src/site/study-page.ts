/**
 * Everything a study page renders, gathered once: the entry, its papers and citation labels
 * (the steps and lineage figures are HTML components that read the entry). The page stores it in Astro.locals so the components an MDX
 * body places (<Steps />, <Lineage />, ...) can read it without props.
 */
import type { Paper } from '../schema/study.ts';
import { studyCitationLabels } from './bibtex.ts';
import { studyPapers, type StudyEntry } from './content.ts';

export interface StudyPageData {
  entry: StudyEntry;
  papers: Map<string, Paper>;
  references: Paper[];
  /** Citation label per paper id, unique on this page ("He et al. 2016a"): Cite, References and Lineage all use it. */
  labels: Map<string, string>;
}

export async function loadStudyPage(entry: StudyEntry, papers: Map<string, Paper>): Promise<StudyPageData> {
  return {
    entry,
    papers,
    references: studyPapers(entry, papers),
    labels: studyCitationLabels(entry.data, papers),
  };
}

/** The study data for a component inside an MDX body, or a clear error if used elsewhere. */
export function requireStudy(locals: App.Locals, component: string): StudyPageData {
  if (!locals.study) throw new Error(`<${component} /> can only be used inside a study (src/content/studies/*.mdx).`);
  return locals.study;
}
