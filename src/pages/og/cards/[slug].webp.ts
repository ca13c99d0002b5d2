/**
 * /og/cards/<study>.webp: the study's Open Graph picture (the same drawing as /og/<study>.png)
 * at 640x336 in WebP, for the home page's cards: a few KB instead of ~70 KB of PNG per card.
 */
import type { APIContext, GetStaticPaths } from 'astro';
import sharp from 'sharp';
import { getStudies, type StudyEntry } from '../../../site/content.ts';
import { cachedOgPng } from '../../../build/og-image.ts';
import { ROLE_TITLES, STEP_TITLES } from '../../../schema/study.ts';
import { CARD_IMAGE } from '../../../components/study/card-image.ts';

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
  const webp = await sharp(png).resize(CARD_IMAGE.width, CARD_IMAGE.height).webp({ quality: 78 }).toBuffer();
  return new Response(new Uint8Array(webp), { headers: { 'Content-Type': 'image/webp' } });
}
