/**
 * The ResNet paper's training-time augmentation (He et al. 2015, section 3.4), as a seeded
 * parameter generator and a pure apply function on RgbaImage:
 *   - the shorter side is resized to a random size in [256, 480] (scale augmentation);
 *   - a random 224x224 crop is taken, from the image or its horizontal flip;
 *   - the standard colour augmentation of AlexNet (Krizhevsky et al. 2012): add to every pixel
 *     the RGB principal components of ImageNet pixel colours times their eigenvalues times a
 *     random N(0, 0.1) factor ("PCA lighting").
 * The per-pixel mean subtraction then happens in the model's own preprocessing (the catalog's
 * per-channel means for this stand-in), exactly as at test time, so it is not applied here.
 */
import type { RgbaImage } from '../types.ts';
import { resampleBilinear } from './image.ts';
import { gaussian, randomInt, type Random } from './random.ts';

/** The paper's scale range for the shorter side. */
export const SHORTER_SIDE_RANGE = [256, 480] as const;
export const CROP_SIZE = 224;
/** Standard deviation of the lighting factors (AlexNet section 4.1). */
export const LIGHTING_STD = 0.1;
/**
 * Eigenvalues and eigenvectors (columns) of the covariance of ImageNet RGB pixel values in 0..1,
 * as published with fb.resnet.torch (the Torch reimplementation by the paper's colleagues) and
 * used by most ResNet training code.
 */
export const PCA_EIGENVALUES = [0.2175, 0.0188, 0.0045] as const;
export const PCA_EIGENVECTORS = [
  [-0.5675, 0.7192, 0.4009],
  [-0.5808, -0.0045, -0.814],
  [-0.5836, -0.6948, 0.4203],
] as const;

export interface AugmentationParams {
  /** Shorter side after the random resize, in [256, 480]. */
  shorterSide: number;
  /** Size of the resized image. */
  resizedWidth: number;
  resizedHeight: number;
  /** Top-left corner of the 224x224 crop in the resized image. */
  cropX: number;
  cropY: number;
  flip: boolean;
  /** The three random lighting factors (alpha_i ~ N(0, 0.1)). */
  lighting: [number, number, number];
  /** The resulting colour shift added to every pixel, R G B in 0..255 units. */
  rgbShift: [number, number, number];
}

/** The RGB shift (0..255 units) for three lighting factors: sum_i alpha_i * lambda_i * p_i, times 255. */
export function lightingShift(alphas: readonly [number, number, number]): [number, number, number] {
  return [0, 1, 2].map(
    (row) => PCA_EIGENVECTORS[row]!.reduce((sum, value, i) => sum + value * alphas[i]! * PCA_EIGENVALUES[i]!, 0) * 255,
  ) as [number, number, number];
}

/** Draw one set of augmentation parameters for an image of the given size. */
export function sampleAugmentation(random: Random, width: number, height: number): AugmentationParams {
  if (!(width > 0 && height > 0)) throw new Error('The image has no pixels.');
  const shorterSide = randomInt(random, SHORTER_SIDE_RANGE[0], SHORTER_SIDE_RANGE[1]);
  const scale = shorterSide / Math.min(width, height);
  const resizedWidth = width <= height ? shorterSide : Math.round(width * scale);
  const resizedHeight = width <= height ? Math.round(height * scale) : shorterSide;
  const cropX = randomInt(random, 0, resizedWidth - CROP_SIZE);
  const cropY = randomInt(random, 0, resizedHeight - CROP_SIZE);
  const flip = random() < 0.5;
  const lighting: [number, number, number] = [
    gaussian(random) * LIGHTING_STD,
    gaussian(random) * LIGHTING_STD,
    gaussian(random) * LIGHTING_STD,
  ];
  return { shorterSide, resizedWidth, resizedHeight, cropX, cropY, flip, lighting, rgbShift: lightingShift(lighting) };
}

/** Apply augmentation parameters: a 224x224 RGBA image (alpha 255). */
export function applyAugmentation(image: RgbaImage, params: AugmentationParams): RgbaImage {
  const scaleX = params.resizedWidth / image.width;
  const scaleY = params.resizedHeight / image.height;
  // Resampling the crop's source rectangle directly equals resize-then-crop, without the large intermediate image.
  const crop = resampleBilinear(
    image,
    params.cropX / scaleX,
    params.cropY / scaleY,
    CROP_SIZE / scaleX,
    CROP_SIZE / scaleY,
    CROP_SIZE,
    CROP_SIZE,
  );
  const out = new Uint8ClampedArray(CROP_SIZE * CROP_SIZE * 4);
  const [dr, dg, db] = params.rgbShift;
  for (let y = 0; y < CROP_SIZE; y++) {
    for (let x = 0; x < CROP_SIZE; x++) {
      const from = (y * CROP_SIZE + (params.flip ? CROP_SIZE - 1 - x : x)) * 4;
      const to = (y * CROP_SIZE + x) * 4;
      out[to] = crop.data[from]! + dr;
      out[to + 1] = crop.data[from + 1]! + dg;
      out[to + 2] = crop.data[from + 2]! + db;
      out[to + 3] = 255;
    }
  }
  return { width: CROP_SIZE, height: CROP_SIZE, data: out };
}

/** The mirror image (left-right), a copy. */
export function flipHorizontal(image: RgbaImage): RgbaImage {
  const { width, height } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + (width - 1 - x)) * 4;
      out.set(image.data.subarray(from, from + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}
