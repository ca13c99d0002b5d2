/**
 * /og/cards/<study>.webp: the study's Open Graph picture (the same drawing as /og/<study>.png)
 * at 640x336 in WebP, for the home page's cards: a few KB instead of ~70 KB of PNG per card.
 */
import type { APIContext, GetStaticPaths } from 'astro';
import sharp from 'sharp';
import type { StudyEntry } from '../../../site/content.ts';
import { studyOgPaths, studyOgPng } from '../../../build/study-og.ts';
import { CARD_IMAGE } from '../../../components/study/card-image.ts';

export const getStaticPaths = studyOgPaths satisfies GetStaticPaths;

export async function GET({ props }: APIContext<{ study: StudyEntry }>): Promise<Response> {
  const webp = await sharp(await studyOgPng(props.study))
    .resize(CARD_IMAGE.width, CARD_IMAGE.height)
    .webp({ quality: 78 })
    .toBuffer();
  return new Response(new Uint8Array(webp), { headers: { 'Content-Type': 'image/webp' } });
}
