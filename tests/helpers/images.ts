/** Node-side image helpers for tests and benchmarks: decode the PNG samples into RgbaImage. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../../src/inference/types.ts';

export const SAMPLES_DIR = fileURLToPath(new URL('../../public/samples/', import.meta.url));

/** Decode a PNG file (greyscale, RGB or RGBA) to 8-bit RGBA. */
export function readPng(path: string): RgbaImage {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
}

/** One of the site's sample images by name, e.g. "chelsea". */
export function readSample(name: string): RgbaImage {
  return readPng(`${SAMPLES_DIR}${name}.png`);
}
