/**
 * Pure image resampling: bilinear resize and crop-resize on RgbaImage. Used in Node (tests,
 * benchmarks) and in the browser where a canvas is not available or not exact enough (the
 * classifier's 224x224 crop, so the "what the model sees" view and the tensor agree).
 */
import type { Box, ImageOps, RgbaImage } from '../types.ts';

/** A new black, fully transparent image. */
export function blankImage(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/**
 * Bilinear sampling of the source region [sx, sx + sw) x [sy, sy + sh) into a dw x dh image,
 * with pixel centres aligned (the "half-pixel" convention of OpenCV, PIL and canvas). Samples
 * outside the source are black with alpha 255, so crops that run past the edge are zero-padded.
 */
export function resampleBilinear(source: RgbaImage, sx: number, sy: number, sw: number, sh: number, dw: number, dh: number): RgbaImage {
  if (!(dw >= 1 && dh >= 1) || !Number.isInteger(dw) || !Number.isInteger(dh)) {
    throw new RangeError(`Output size must be positive whole pixels, got ${dw}x${dh}.`);
  }
  const out = blankImage(dw, dh);
  const { width: w, height: h, data: src } = source;
  const scaleX = sw / dw;
  const scaleY = sh / dh;
  const dst = out.data;
  for (let y = 0; y < dh; y++) {
    const fy = sy + (y + 0.5) * scaleY - 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = sx + (x + 0.5) * scaleX - 0.5;
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      const o = (y * dw + x) * 4;
      for (let c = 0; c < 3; c++) {
        const p00 = sample(src, w, h, x0, y0, c);
        const p10 = sample(src, w, h, x0 + 1, y0, c);
        const p01 = sample(src, w, h, x0, y0 + 1, c);
        const p11 = sample(src, w, h, x0 + 1, y0 + 1, c);
        dst[o + c] = (p00 * (1 - wx) + p10 * wx) * (1 - wy) + (p01 * (1 - wx) + p11 * wx) * wy;
      }
      dst[o + 3] = 255;
    }
  }
  return out;
}

/** Channel c of pixel (x, y), clamping to the edge inside the image and black outside it. */
function sample(data: ArrayLike<number>, w: number, h: number, x: number, y: number, c: number): number {
  // Within half a pixel of the border, clamp (edge pixels extend); further out is padding.
  if (x < -1 || y < -1 || x > w || y > h) return 0;
  const cx = x < 0 ? 0 : x >= w ? w - 1 : x;
  const cy = y < 0 ? 0 : y >= h ? h - 1 : y;
  return data[(cy * w + cx) * 4 + c] ?? 0;
}

/** Scale the whole image to width x height with bilinear interpolation. */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  return resampleBilinear(image, 0, 0, image.width, image.height, width, height);
}

/** Crop a box (may extend past the image) and scale it to width x height. */
export function cropResizeBilinear(image: RgbaImage, box: Box, width: number, height: number): RgbaImage {
  return resampleBilinear(image, box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1, width, height);
}

/** ImageOps built on the pure kernels, for Node and as the browser's fallback. */
export const pureImageOps: ImageOps = {
  resize: resizeBilinear,
  cropResize: cropResizeBilinear,
};

/** Convert to greyscale-free RGBA: premultiplies nothing, but flattens alpha onto white. */
export function flattenAlpha(image: RgbaImage): RgbaImage {
  const out = blankImage(image.width, image.height);
  for (let i = 0; i < image.data.length; i += 4) {
    const alpha = (image.data[i + 3] ?? 255) / 255;
    for (let c = 0; c < 3; c++) out.data[i + c] = (image.data[i + c] ?? 0) * alpha + 255 * (1 - alpha);
    out.data[i + 3] = 255;
  }
  return out;
}
