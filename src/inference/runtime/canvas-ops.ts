/**
 * ImageOps on OffscreenCanvas, for the worker: the browser's native scaler does the pyramid
 * levels and crops instead of a per-pixel JavaScript loop. Regions outside the image come back
 * transparent black, which the tensor packing reads as zero padding, as the cascade expects.
 */
import type { Box, ImageOps, RgbaImage } from '../types.ts';
import { pureImageOps } from '../math/image.ts';

export function canvasAvailable(): boolean {
  return typeof OffscreenCanvas !== 'undefined';
}

export function createCanvasOps(): ImageOps {
  if (!canvasAvailable()) return pureImageOps;
  // One source canvas per image, reused across the many resizes and crops of one detection.
  const sources = new WeakMap<RgbaImage, OffscreenCanvas>();
  const sourceCanvas = (image: RgbaImage): OffscreenCanvas => {
    let canvas = sources.get(image);
    if (!canvas) {
      canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('OffscreenCanvas 2D context unavailable.');
      context.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
      sources.set(image, canvas);
    }
    return canvas;
  };
  const draw = (image: RgbaImage, box: Box, width: number, height: number): RgbaImage => {
    const target = new OffscreenCanvas(width, height);
    const context = target.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('OffscreenCanvas 2D context unavailable.');
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(sourceCanvas(image), box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height);
    return { width, height, data: pixels.data };
  };
  return {
    resize: (image, width, height) => draw(image, { x1: 0, y1: 0, x2: image.width, y2: image.height }, width, height),
    cropResize: draw,
  };
}
