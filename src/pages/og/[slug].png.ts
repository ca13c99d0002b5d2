/**
 * /og/<study>.png: each published study's Open Graph image (1200x630), drawn at build time by
 * src/build/og-image.ts (cached on disk by content). BaseLayout points og:image here for study pages.
 */
import type { APIContext, GetStaticPaths } from 'astro';
import type { StudyEntry } from '../../site/content.ts';
import { studyOgPaths, studyOgPng } from '../../build/study-og.ts';

export const getStaticPaths = studyOgPaths satisfies GetStaticPaths;

export async function GET({ props }: APIContext<{ study: StudyEntry }>): Promise<Response> {
  return new Response(await studyOgPng(props.study), { headers: { 'Content-Type': 'image/png' } });
}
