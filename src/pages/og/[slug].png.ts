/**
 * /og/<study>.png: each published study's Open Graph image (1200x630), drawn at build time by
 * src/build/og-image.ts (cached on disk by content). BaseLayout points og:image here for study pages.
 */
import type { APIContext, GetStaticPaths } from 'astro';
import { getStudies, type StudyEntry } from '../../site/content.ts';
import { cachedOgPng } from '../../build/og-image.ts';
import { ROLE_TITLES, STEP_TITLES } from '../../schema/study.ts';

export const getStaticPaths = (async () => {
  const studies = await getStudies();
  return studies.map((study) => ({ params: { slug: study.id }, props: { study } }));
}) satisfies GetStaticPaths;

export async function GET({ props }: APIContext<{ study: StudyEntry }>): Promise<Response> {
  const { title, model, steps } = props.study.data;
  const png = await cachedOgPng({
    title,
    model: model.name,
    year: model.year,
    task: model.task,
    steps: steps.map((step) => ({ step: STEP_TITLES[step.id], role: ROLE_TITLES[step.role], roleId: step.role })),
  });
  return new Response(png, { headers: { 'Content-Type': 'image/png' } });
}
