import { describe, expect, it } from 'vitest';
import { blankImage, cropResizeBilinear, flattenAlpha, resizeBilinear } from '../../src/inference/math/image.ts';

describe('bilinear resampling', () => {
  it('keeps a uniform image uniform at any scale', () => {
    const image = blankImage(7, 5);
    image.data.fill(200);
    const out = resizeBilinear(image, 3, 11);
    expect(out.width).toBe(3);
    expect(out.height).toBe(11);
    for (let i = 0; i < out.data.length; i += 4) expect(out.data[i]).toBe(200);
  });

  it('interpolates half-way between two pixels with centre alignment', () => {
    // 2x1 image, values 0 and 100; upscaling to 4x1 samples at x = -0.25, 0.25, 0.75, 1.25.
    const image = blankImage(2, 1);
    image.data.set([0, 0, 0, 255, 100, 100, 100, 255]);
    const out = resizeBilinear(image, 4, 1);
    expect(Array.from(out.data.filter((_, i) => i % 4 === 0))).toEqual([0, 25, 75, 100]);
  });

  it('pads crops outside the image with black', () => {
    const image = blankImage(4, 4);
    image.data.fill(255);
    const out = cropResizeBilinear(image, { x1: -8, y1: 0, x2: -4, y2: 4 }, 2, 2);
    expect(out.data[0]).toBe(0);
    expect(out.data[3]).toBe(255);
  });

  it('rejects a zero-size output', () => {
    expect(() => resizeBilinear(blankImage(2, 2), 0, 2)).toThrow(/positive whole pixels/);
  });

  it('flattens transparent pixels onto white', () => {
    const image = blankImage(1, 1);
    image.data.set([0, 0, 0, 0]);
    expect(Array.from(flattenAlpha(image).data)).toEqual([255, 255, 255, 255]);
  });
});
