import { describe, expect, it } from 'vitest';
import { getModel, type ImagePreprocessing } from '../../src/models/catalog.ts';
import { blankImage } from '../../src/inference/math/image.ts';
import {
  cropRegion,
  imagesToTensor,
  resizeAndCrop,
  resizedSize,
  softmax,
  tensorToImage,
  topK,
} from '../../src/inference/math/preprocess.ts';
import { parseLabels } from '../../src/inference/tasks/classify.ts';

const caffe = getModel('resnet50-keras-imagenet').preprocessing!;
const torch = getModel('resnet34-v1-7').preprocessing!;

function solid(width: number, height: number, rgb: [number, number, number]) {
  const image = blankImage(width, height);
  for (let i = 0; i < width * height; i++) image.data.set([...rgb, 255], i * 4);
  return image;
}

describe('resize and crop geometry', () => {
  it('scales the shorter side to 256', () => {
    expect(resizedSize(451, 300, caffe.resize)).toEqual({ width: 385, height: 256 });
    expect(resizedSize(300, 600, caffe.resize)).toEqual({ width: 256, height: 512 });
  });

  it('maps the centre 224 crop back to the original image', () => {
    // 512x512 -> 256x256, crop starts at 16 resized px = 32 original px, spans 448.
    expect(cropRegion(512, 512, caffe)).toEqual({ x: 32, y: 32, width: 448, height: 448, outWidth: 224, outHeight: 224 });
  });

  it('refuses a crop larger than the resized image', () => {
    const pre: Pick<ImagePreprocessing, 'resize' | 'centreCrop'> = {
      resize: { mode: 'exact', width: 100, height: 100 },
      centreCrop: { width: 224, height: 224 },
    };
    expect(() => cropRegion(500, 500, pre)).toThrow(/larger than the resized image/);
  });

  it('produces a 224x224 image from any input shape, including 1x1', () => {
    for (const [w, h] of [
      [1, 1],
      [3000, 20],
      [451, 300],
    ] as const) {
      const out = resizeAndCrop(solid(w, h, [10, 20, 30]), caffe);
      expect([out.width, out.height]).toEqual([224, 224]);
      expect(Array.from(out.data.slice(0, 4))).toEqual([10, 20, 30, 255]);
    }
  });
});

describe('tensor packing', () => {
  it('applies caffe BGR mean subtraction in NCHW', () => {
    const tensor = imagesToTensor([solid(2, 2, [200, 100, 50])], caffe);
    expect(tensor.dims).toEqual([1, 3, 2, 2]);
    // Channel 0 is blue: 50 - 103.939; channel 2 is red: 200 - 123.68.
    expect(tensor.data[0]).toBeCloseTo(50 - 103.939, 4);
    expect(tensor.data[4]).toBeCloseTo(100 - 116.779, 4);
    expect(tensor.data[8]).toBeCloseTo(200 - 123.68, 4);
  });

  it('applies torch scaling, mean and std in RGB', () => {
    const tensor = imagesToTensor([solid(1, 1, [255, 0, 128])], torch);
    expect(tensor.data[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(tensor.data[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(tensor.data[2]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5);
  });

  it('interleaves channels in NHWC and stacks a batch', () => {
    const pre = { ...torch, layout: 'NHWC' as const, scale: 1, mean: [0, 0, 0] as const, std: [1, 1, 1] as const };
    const tensor = imagesToTensor([solid(1, 2, [1, 2, 3]), solid(1, 2, [4, 5, 6])], pre);
    expect(tensor.dims).toEqual([2, 2, 1, 3]);
    expect(Array.from(tensor.data)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
  });

  it('rejects a batch of mixed sizes', () => {
    expect(() => imagesToTensor([solid(1, 1, [0, 0, 0]), solid(2, 1, [0, 0, 0])], torch)).toThrow(/must be 1x1/);
  });

  it('round-trips through tensorToImage (what the model sees)', () => {
    const image = solid(3, 2, [200, 100, 50]);
    for (const pre of [caffe, torch]) {
      const back = tensorToImage(imagesToTensor([image], pre), pre);
      expect([back.width, back.height]).toEqual([3, 2]);
      expect(Array.from(back.data.slice(0, 4))).toEqual([200, 100, 50, 255]);
    }
  });
});

describe('scores', () => {
  it('softmax sums to one and is stable for large logits', () => {
    const p = softmax([1000, 1001, 1002]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
  });

  it('topK returns the largest values in order', () => {
    expect(topK([0.1, 0.5, 0.2, 0.9, 0.5], 3)).toEqual([
      { index: 3, value: 0.9 },
      { index: 1, value: 0.5 },
      { index: 4, value: 0.5 },
    ]);
    expect(topK([1, 2], 5)).toHaveLength(2);
  });

  it('parses synset labels', () => {
    expect(parseLabels('n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n')).toEqual([
      'tench, Tinca tinca',
      'goldfish, Carassius auratus',
    ]);
  });
});
