import { describe, expect, it } from 'vitest';
import { boxArea, intersectionArea, iou, nms, nmsIndices, overlap, overlapMin } from '../../src/inference/math/nms.ts';

const box = (x1: number, y1: number, x2: number, y2: number, score = 0) => ({ x1, y1, x2, y2, score });

describe('box overlap', () => {
  const a = box(0, 0, 10, 10);
  const shifted = box(5, 0, 15, 10); // shares a 5x10 strip with a
  const inner = box(2, 2, 6, 6); // 4x4 inside a

  it('measures areas and intersections with exclusive far edges', () => {
    expect(boxArea(a)).toBe(100);
    expect(boxArea(box(3, 3, 1, 9))).toBe(0); // inverted
    expect(intersectionArea(a, shifted)).toBe(50);
    expect(intersectionArea(a, box(10, 0, 20, 10))).toBe(0); // touching edges do not overlap
  });

  it('computes IoU (union) by hand-checked values', () => {
    expect(iou(a, a)).toBe(1);
    expect(iou(a, shifted)).toBeCloseTo(50 / 150, 12);
    expect(iou(a, inner)).toBeCloseTo(16 / 100, 12);
    expect(iou(a, box(20, 20, 30, 30))).toBe(0);
    expect(iou(a, box(5, 5, 5, 9))).toBe(0); // empty box
  });

  it('computes overlap over the smaller box ("Min")', () => {
    expect(overlapMin(a, shifted)).toBeCloseTo(0.5, 12);
    expect(overlapMin(a, inner)).toBe(1);
    expect(overlapMin(inner, a)).toBe(1);
    expect(overlap(a, inner, 'min')).toBe(1);
    expect(overlap(a, inner, 'union')).toBeCloseTo(0.16, 12);
  });
});

describe('greedy NMS', () => {
  it('returns nothing for no boxes', () => {
    expect(nmsIndices([], 0.5)).toEqual([]);
    expect(nms([], 0.5, 'min')).toEqual([]);
  });

  it('keeps the best box of an overlapping pair and any distant box, best first', () => {
    const boxes = [
      box(0, 0, 10, 10, 0.9), // 0
      box(1, 0, 11, 10, 0.8), // 1: IoU with 0 = 90 / 110 = 0.818
      box(20, 20, 30, 30, 0.95), // 2: far away
    ];
    expect(nmsIndices(boxes, 0.7)).toEqual([2, 0]);
    expect(nmsIndices(boxes, 0.85)).toEqual([2, 0, 1]);
    expect(nms(boxes, 0.7).map((b) => b.score)).toEqual([0.95, 0.9]);
  });

  it('keeps a box whose overlap equals the threshold (suppresses only overlap > threshold)', () => {
    const boxes = [box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)]; // IoU exactly 1/3
    expect(nmsIndices(boxes, 1 / 3)).toEqual([0, 1]);
    expect(nmsIndices(boxes, 0.33)).toEqual([0]);
  });

  it('is greedy: a suppressed box suppresses nothing', () => {
    // 0 suppresses 1 (IoU 0.818); 1 would suppress 2 (IoU 0.818) but 0 and 2 overlap by 0.667.
    const boxes = [box(0, 0, 10, 10, 0.9), box(1, 0, 11, 10, 0.8), box(2, 0, 12, 10, 0.7)];
    expect(iou(boxes[0]!, boxes[2]!)).toBeCloseTo(80 / 120, 12);
    expect(nmsIndices(boxes, 0.7)).toEqual([0, 2]);
  });

  it('visits by score, not by input order', () => {
    const boxes = [box(1, 0, 11, 10, 0.3), box(0, 0, 10, 10, 0.9)];
    expect(nmsIndices(boxes, 0.5)).toEqual([1]);
  });

  it('"min" mode removes a small box inside a bigger one that union mode keeps', () => {
    const boxes = [box(0, 0, 20, 20, 0.99), box(4, 4, 12, 12, 0.9)]; // IoU 64/400 = 0.16, min 1
    expect(nmsIndices(boxes, 0.7, 'union')).toEqual([0, 1]);
    expect(nmsIndices(boxes, 0.7, 'min')).toEqual([0]);
    // ... whichever of the two scores higher.
    const flipped = [box(0, 0, 20, 20, 0.5), box(4, 4, 12, 12, 0.9)];
    expect(nmsIndices(flipped, 0.7, 'min')).toEqual([1]);
  });

  it('keeps input order among equal scores', () => {
    const boxes = [box(0, 0, 10, 10, 0.5), box(50, 0, 60, 10, 0.5), box(0, 0, 10, 10, 0.5)];
    expect(nmsIndices(boxes, 0.5)).toEqual([0, 1]);
  });
});
