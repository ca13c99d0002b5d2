/**
 * Sample thumbnails for the demos' galleries: each image in public/samples/ as a 160x160 WebP
 * (the gallery shows it at 64 to 80 CSS pixels, so 2x for dense screens), drawn at build time
 * with sharp, the library behind Astro's image service. The full PNG is fetched only when a
 * sample runs; the thumbnail is a few KB instead of up to 770 KB.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRoute, GetStaticPaths } from 'astro';
import sharp from 'sharp';

/** Width and height of every thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 160;
const SAMPLES_DIR = join(process.cwd(), 'public', 'samples');

export const getStaticPaths = (() =>
  readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith('.png'))
    .map((file) => ({ params: { name: file.slice(0, -'.png'.length) } }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const image = await sharp(join(SAMPLES_DIR, `${params.name}.png`))
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover' })
    .webp({ quality: 72 })
    .toBuffer();
  return new Response(new Uint8Array(image), { headers: { 'Content-Type': 'image/webp' } });
};
