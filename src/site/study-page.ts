/**
 * Everything a study page renders, gathered once: the entry, its papers, and its two generated
 * diagrams rendered at build time. The page stores it in Astro.locals so the components an MDX
 * body places (<Steps />, <Lineage />, ...) can read it without props.
 */
import type { Paper } from '../schema/study.ts';
import { studyCitationLabels } from './bibtex.ts';
import { lineageDiagram, stepsDiagram, type DiagramSpec } from '../build/diagrams.ts';
import { renderMermaid, type RenderedDiagram } from '../build/mermaid-render.ts';
import { studyPapers, type StudyEntry } from './content.ts';

export interface StudyDiagram {
  spec: DiagramSpec;
  rendered: RenderedDiagram | null;
}

export interface StudyPageData {
  entry: StudyEntry;
  papers: Map<string, Paper>;
  references: Paper[];
  /** Citation label per paper id, unique on this page ("He et al. 2016a"): Cite, References and Lineage all use it. */
  labels: Map<string, string>;
  diagrams: { steps: StudyDiagram; lineage: StudyDiagram };
}

export async function loadStudyPage(entry: StudyEntry, papers: Map<string, Paper>): Promise<StudyPageData> {
  const steps = stepsDiagram(entry.data);
  const lineage = lineageDiagram(entry.data, papers);
  const rendered = await renderMermaid([steps.source, lineage.source], {
    labels: [`the steps diagram of ${entry.id}`, `the lineage diagram of ${entry.id}`],
  });
  return {
    entry,
    papers,
    references: studyPapers(entry, papers),
    labels: studyCitationLabels(entry.data, papers),
    diagrams: {
      steps: { spec: steps, rendered: rendered?.[0] ?? null },
      lineage: { spec: lineage, rendered: rendered?.[1] ?? null },
    },
  };
}

/** The study data for a component inside an MDX body, or a clear error if used elsewhere. */
export function requireStudy(locals: App.Locals, component: string): StudyPageData {
  if (!locals.study) throw new Error(`<${component} /> can only be used inside a study (src/content/studies/*.mdx).`);
  return locals.study;
}
