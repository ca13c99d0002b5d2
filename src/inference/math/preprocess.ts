/**
 * Pure preprocessing driven by the catalog's ImagePreprocessing data: resize, centre crop,
 * channel order, normalisation and layout. The classifier, the face embedders and the tests all
 * go through these functions, so "what the model sees" on screen is computed from the very
 * tensor the model received.
 */
import type { ImagePreprocessing } from '../../models/catalog.ts';
import type { RgbaImage, TensorData } from '../types.ts';
import { resampleBilinear } from './image.ts';

/** Size after a resize rule, rounding the scaled side to the nearest pixel. */
export function resizedSize(width: number, height: number, rule: ImagePreprocessing['resize']): { width: number; height: number } {
  switch (rule.mode) {
    case 'none':
      return { width, height };
    case 'exact':
      return { width: rule.width, height: rule.height };
    case 'shorter-side': {
      const scale = rule.size / Math.min(width, height);
      return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
    }
  }
}

/**
 * The region of the ORIGINAL image that ends up in the model input after resize and centre
 * crop, in original pixels. Sampling that region straight to the crop size equals resizing then
 * cropping, without materialising the large intermediate image.
 */
export function cropRegion(
  width: number,
  height: number,
  pre: Pick<ImagePreprocessing, 'resize' | 'centreCrop'>,
): { x: number; y: number; width: number; height: number; outWidth: number; outHeight: number } {
  const resized = resizedSize(width, height, pre.resize);
  const crop = pre.centreCrop ?? resized;
  if (crop.width > resized.width || crop.height > resized.height) {
    throw new RangeError(`Centre crop ${crop.width}x${crop.height} is larger than the resized image ${resized.width}x${resized.height}.`);
  }
  const scaleX = width / resized.width;
  const scaleY = height / resized.height;
  const left = Math.round((resized.width - crop.width) / 2);
  const top = Math.round((resized.height - crop.height) / 2);
  return {
    x: left * scaleX,
    y: top * scaleY,
    width: crop.width * scaleX,
    height: crop.height * scaleY,
    outWidth: crop.width,
    outHeight: crop.height,
  };
}

/** Resize and centre-crop an image as the preprocessing says, returning the model-sized RGBA image. */
export function resizeAndCrop(image: RgbaImage, pre: Pick<ImagePreprocessing, 'resize' | 'centreCrop'>): RgbaImage {
  const region = cropRegion(image.width, image.height, pre);
  return resampleBilinear(image, region.x, region.y, region.width, region.height, region.outWidth, region.outHeight);
}

/**
 * Pack a batch of equally sized RGBA images into one float32 tensor: channel order, scale,
 * mean, std and layout from the catalog. Alpha is ignored (callers flatten it first if needed).
 */
export function imagesToTensor(images: readonly RgbaImage[], pre: ImagePreprocessing): TensorData {
  const first = images[0];
  if (!first) throw new RangeError('imagesToTensor needs at least one image.');
  const { width, height } = first;
  const plane = width * height;
  const data = new Float32Array(images.length * plane * 3);
  // Source channel index for each model channel: BGR reads R from slot 2.
  const sourceChannel = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const multipliers = [0, 1, 2].map((c) => pre.scale / (pre.std[c] ?? 1));
  const offsets = [0, 1, 2].map((c) => (pre.mean[c] ?? 0) / (pre.std[c] ?? 1));
  images.forEach((image, n) => {
    if (image.width !== width || image.height !== height) {
      throw new RangeError(`All images in a batch must be ${width}x${height}; image ${n} is ${image.width}x${image.height}.`);
    }
    const pixels = image.data;
    const base = n * plane * 3;
    for (let c = 0; c < 3; c++) {
      const source = sourceChannel[c] ?? c;
      const multiplier = multipliers[c] ?? 1;
      const offset = offsets[c] ?? 0;
      if (pre.layout === 'NCHW') {
        const channelBase = base + c * plane;
        for (let i = 0; i < plane; i++) data[channelBase + i] = (pixels[i * 4 + source] ?? 0) * multiplier - offset;
      } else {
        for (let i = 0; i < plane; i++) data[base + i * 3 + c] = (pixels[i * 4 + source] ?? 0) * multiplier - offset;
      }
    }
  });
  const dims = pre.layout === 'NCHW' ? [images.length, 3, height, width] : [images.length, height, width, 3];
  return { data, dims };
}

/**
 * Invert imagesToTensor for one image of the batch: the RGB picture the model actually saw,
 * for the "what the model sees" view (BGR is turned back into RGB for display).
 */
export function tensorToImage(tensor: TensorData, pre: ImagePreprocessing, index = 0): RgbaImage {
  const [, d1, d2, d3] = tensor.dims;
  const nchw = pre.layout === 'NCHW';
  const height = (nchw ? d2 : d1) ?? 0;
  const width = (nchw ? d3 : d2) ?? 0;
  const plane = width * height;
  const out = new Uint8ClampedArray(plane * 4);
  const base = index * plane * 3;
  const targetChannel = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const target = targetChannel[c] ?? c;
    const std = pre.std[c] ?? 1;
    const mean = pre.mean[c] ?? 0;
    for (let i = 0; i < plane; i++) {
      const value = tensor.data[nchw ? base + c * plane + i : base + i * 3 + c] ?? 0;
      out[i * 4 + target] = (value * std + mean) / pre.scale;
    }
  }
  for (let i = 0; i < plane; i++) out[i * 4 + 3] = 255;
  return { width, height, data: out };
}

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] ?? -Infinity);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] ?? 0) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / sum;
  return out;
}

/** Indices and values of the k largest entries, largest first (ties keep the lower index first). */
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  const best: { index: number; value: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? -Infinity;
    if (best.length < k || value > (best[best.length - 1]?.value ?? -Infinity)) {
      let at = best.length;
      while (at > 0 && (best[at - 1]?.value ?? -Infinity) < value) at--;
      best.splice(at, 0, { index: i, value });
      if (best.length > k) best.pop();
    }
  }
  return best;
}
