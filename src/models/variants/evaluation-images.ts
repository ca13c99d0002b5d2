/**
 * The fixed image set the variants are compared on: every sample image plus transformed copies
 * (two crops, a horizontal flip, brighter and darker). Pure functions on RgbaImage, so the
 * tests, the benchmark and the calibration script see exactly the same pixels.
 */
import type { RgbaImage } from '../../inference/types.ts';

export interface NamedImage {
  name: string;
  image: RgbaImage;
}

/** The sub-image at (x, y) of size width x height. */
export function cropImage(image: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * image.width + x) * 4;
    data.set(image.data.subarray(start, start + width * 4), row * width * 4);
  }
  return { width, height, data };
}

/** Mirror left to right. */
export function flipHorizontal(image: RgbaImage): RgbaImage {
  const { width, height } = image;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) {
      const from = (row * width + x) * 4;
      const to = (row * width + (width - 1 - x)) * 4;
      data.set(image.data.subarray(from, from + 4), to);
    }
  }
  return { width, height, data };
}

/** Multiply RGB by a factor (alpha unchanged), clamped to 0..255. */
export function scaleBrightness(image: RgbaImage, factor: number): RgbaImage {
  const data = new Uint8ClampedArray(image.data);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = Math.round(data[i]! * factor);
    data[i + 1] = Math.round(data[i + 1]! * factor);
    data[i + 2] = Math.round(data[i + 2]! * factor);
  }
  return { width: image.width, height: image.height, data };
}

/** The image and its five transformed copies, named "<name>", "<name>/crop-centre", ... */
export function withTransformedCopies(name: string, image: RgbaImage): NamedImage[] {
  const w = Math.round(image.width * 0.8);
  const h = Math.round(image.height * 0.8);
  return [
    { name, image },
    { name: `${name}/crop-centre`, image: cropImage(image, Math.floor((image.width - w) / 2), Math.floor((image.height - h) / 2), w, h) },
    { name: `${name}/crop-top-left`, image: cropImage(image, 0, 0, w, h) },
    { name: `${name}/flip`, image: flipHorizontal(image) },
    { name: `${name}/brighter`, image: scaleBrightness(image, 1.3) },
    { name: `${name}/darker`, image: scaleBrightness(image, 0.7) },
  ];
}
