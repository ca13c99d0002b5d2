/**
 * Related studies, generated from the papers studies share: two studies are related when one
 * cites or traces a paper the other also cites or traces (references, lineage paper nodes and
 * step artifacts). The strongest link is a study whose own architecture paper sits in this
 * study's lineage (VGG-16 in ResNet's), so those come first, then by how many papers are shared.
 */
import type { Study } from '../schema/study.ts';
import { mainPaperId } from '../schema/body.ts';

export interface StudyRef {
  id: string;
  data: Study;
}

export interface RelatedStudy {
  id: string;
  title: string;
  modelName: string;
  /** Paper ids both studies cite or trace, in the other study's reference order. */
  shared: string[];
  /** The other study's architecture paper is in this study's lineage or references. */
  ownPaperHere: boolean;
  /** This study's architecture paper is in the other study's lineage or references. */
  herePaperThere: boolean;
}

/** Every paper id a study cites or traces. */
export function studyPaperIds(study: Study): Set<string> {
  const ids = new Set(study.references);
  for (const node of study.lineage.nodes) if (node.kind === 'paper') ids.add(node.paper);
  for (const step of study.steps) for (const artifact of step.artifacts) if (artifact.paper) ids.add(artifact.paper);
  return ids;
}

/** The studies related to `study` among `all`, strongest first. */
export function relatedStudies(study: StudyRef, all: readonly StudyRef[]): RelatedStudy[] {
  const here = studyPaperIds(study.data);
  const hereMain = mainPaperId(study.data);
  return all
    .filter((other) => other.id !== study.id)
    .map((other) => {
      const there = studyPaperIds(other.data);
      const otherMain = mainPaperId(other.data);
      const shared = [...there].filter((id) => here.has(id));
      return {
        id: other.id,
        title: other.data.title,
        modelName: other.data.model.name,
        shared,
        ownPaperHere: otherMain !== undefined && here.has(otherMain),
        herePaperThere: hereMain !== undefined && there.has(hereMain),
      };
    })
    .filter((related) => related.shared.length > 0)
    .sort(
      (a, b) =>
        Number(b.ownPaperHere) - Number(a.ownPaperHere) ||
        Number(b.herePaperThere) - Number(a.herePaperThere) ||
        b.shared.length - a.shared.length ||
        a.title.localeCompare(b.title),
    );
}
