/**
 * A study's Open Graph drawing, shared by /og/<study>.png (og:image) and the home page's
 * /og/cards/<study>.webp: one place turns a study's front matter into the card og-image.ts draws.
 */
import { getStudies, type StudyEntry } from '../site/content.ts';
import { ROLE_TITLES, STEP_TITLES } from '../schema/study.ts';
import { cachedOgPng, type OgCard } from './og-image.ts';

/** One static path per published study, with the study as its props. */
export async function studyOgPaths() {
  const studies = await getStudies();
  return studies.map((study) => ({ params: { slug: study.id }, props: { study } }));
}

/** What the card says about a study: title, model, year, task, and who works at each step. */
export function studyOgCard(study: StudyEntry): OgCard {
  const { title, model, steps } = study.data;
  return {
    title,
    model: model.name,
    year: model.year,
    task: model.task,
    steps: steps.map((step) => ({ step: STEP_TITLES[step.id], role: ROLE_TITLES[step.role], roleId: step.role })),
  };
}

/** The study's 1200x630 PNG (cached on disk by content). */
export function studyOgPng(study: StudyEntry): Promise<Uint8Array<ArrayBuffer>> {
  return cachedOgPng(studyOgCard(study));
}
