import { describe, expect, it } from 'vitest';
import {
  boxFromDrag,
  defaultDraftBox,
  displayToImage,
  fitDrawnBox,
  formatDrawnParam,
  keyboardStep,
  MAX_DRAWN_BOXES,
  MIN_DRAWN_SIDE,
  moveBox,
  parseDrawnParam,
  rectToBox,
  resizeBox,
} from '../../src/inference/math/drawn-boxes.ts';
import { sampleTrainingCrops } from '../../src/inference/math/mtcnn-training-crops.ts';

describe('the drawn= deep link', () => {
  it('reads x,y,w,h boxes separated by semicolons, with spaces and decimals', () => {
    expect(parseDrawnParam('10,20,30,40; 1.5, 2 ,3.25,4;')).toEqual({
      rects: [
        { x: 10, y: 20, w: 30, h: 40 },
        { x: 1.5, y: 2, w: 3.25, h: 4 },
      ],
      problems: [],
    });
    expect(parseDrawnParam(null)).toEqual({ rects: [], problems: [] });
    expect(parseDrawnParam('')).toEqual({ rects: [], problems: [] });
  });

  it('reports malformed entries and zero sizes, quoting them, and keeps the good ones', () => {
    const parsed = parseDrawnParam('10,20,30;abc;5,5,0,10;5,5,10,-1;1e3,0,5,5;40,40,50,50');
    expect(parsed.rects).toEqual([{ x: 40, y: 40, w: 50, h: 50 }]);
    expect(parsed.problems).toEqual([
      '"10,20,30" is not x,y,w,h (four numbers in image pixels).',
      '"abc" is not x,y,w,h (four numbers in image pixels).',
      '"5,5,0,10" has zero width: a face box needs a width and a height.',
      '"5,5,10,-1" has zero height: a face box needs a width and a height.',
      '"1e3,0,5,5" is not x,y,w,h (four numbers in image pixels).',
    ]);
  });

  it(`keeps at most ${MAX_DRAWN_BOXES} boxes and says so`, () => {
    const text = Array.from({ length: MAX_DRAWN_BOXES + 2 }, (_, i) => `${i},0,20,20`).join(';');
    const parsed = parseDrawnParam(text);
    expect(parsed.rects).toHaveLength(MAX_DRAWN_BOXES);
    expect(parsed.problems).toHaveLength(2);
    expect(parsed.problems[0]).toMatch(/over the limit of 20/);
  });

  it('formats boxes back into the link, round trip', () => {
    const boxes = [rectToBox({ x: 10, y: 20, w: 30, h: 40 }), { x1: 0.123, y1: 5, x2: 100.5, y2: 60 }];
    const text = formatDrawnParam(boxes);
    expect(text).toBe('10,20,30,40;0.12,5,100.38,55');
    expect(parseDrawnParam(text).rects.map(rectToBox)[0]).toEqual(boxes[0]);
  });
});

describe('fitting a drawn box to its image', () => {
  it('keeps a box inside the image as it is', () => {
    expect(fitDrawnBox({ x1: 10, y1: 10, x2: 50, y2: 60 }, 100, 80)).toEqual({ box: { x1: 10, y1: 10, x2: 50, y2: 60 }, clamped: false });
  });

  it('cuts a box that crosses an edge to the image, and says it did', () => {
    expect(fitDrawnBox({ x1: -10, y1: 70, x2: 40, y2: 120 }, 100, 80)).toEqual({
      problem: 'The box is 40 by 10 px inside the image; a face needs at least 12 px a side to give a 12 px training crop.',
    });
    expect(fitDrawnBox({ x1: -10, y1: 50, x2: 40, y2: 120 }, 100, 80)).toEqual({ box: { x1: 0, y1: 50, x2: 40, y2: 80 }, clamped: true });
  });

  it('refuses a box wholly outside, of zero size, too small once cut, or not a number', () => {
    expect(fitDrawnBox({ x1: 200, y1: 10, x2: 260, y2: 60 }, 100, 80)).toEqual({ problem: 'The box lies outside the 100 by 80 px image.' });
    expect(fitDrawnBox({ x1: 10, y1: 10, x2: 10, y2: 60 }, 100, 80)).toEqual({ problem: 'The box has zero size.' });
    expect(fitDrawnBox({ x1: 90, y1: 10, x2: 130, y2: 60 }, 100, 80)).toEqual({
      problem: 'The box is 10 by 50 px inside the image; a face needs at least 12 px a side to give a 12 px training crop.',
    });
    expect(fitDrawnBox({ x1: Number.NaN, y1: 10, x2: 30, y2: 60 }, 100, 80)).toEqual({
      problem: 'The box has a coordinate that is not a number.',
    });
  });

  it('puts corners given the wrong way round in order', () => {
    expect(fitDrawnBox({ x1: 50, y1: 60, x2: 10, y2: 10 }, 100, 80)).toEqual({ box: { x1: 10, y1: 10, x2: 50, y2: 60 }, clamped: false });
  });

  it('gives a drawn box that the crop sampler cuts positives and parts around', () => {
    const fitted = fitDrawnBox(rectToBox({ x: 60, y: 60, w: 80, h: 80 }), 200, 200);
    if (!('box' in fitted)) throw new Error(fitted.problem);
    const crops = sampleTrainingCrops({ width: 200, height: 200 }, [{ box: fitted.box }], { size: 24, seed: 2 });
    expect(crops.some((crop) => crop.kind === 'positive')).toBe(true);
    expect(crops.some((crop) => crop.kind === 'part')).toBe(true);
    // No landmarks were drawn, so no landmark crops.
    expect(crops.some((crop) => crop.kind === 'landmark')).toBe(false);
  });
});

describe('drawing geometry', () => {
  it('spans a drag from either corner and stops at the image edges', () => {
    expect(boxFromDrag([50, 40], [10, 90], 100, 80)).toEqual({ x1: 10, y1: 40, x2: 50, y2: 80 });
    expect(boxFromDrag([-5, -5], [20, 30], 100, 80)).toEqual({ x1: 0, y1: 0, x2: 20, y2: 30 });
  });

  it('maps a point on the shown element to image pixels', () => {
    expect(displayToImage([150, 60], { left: 100, top: 50, width: 200, height: 100 }, 1000, 500)).toEqual([250, 50]);
    expect(displayToImage([1, 1], { left: 0, top: 0, width: 0, height: 0 }, 10, 10)).toEqual([0, 0]);
  });

  it('starts the keyboard draft as a centred square of a quarter of the shorter side', () => {
    expect(defaultDraftBox(400, 200)).toEqual({ x1: 175, y1: 75, x2: 225, y2: 125 });
    expect(defaultDraftBox(20, 20)).toEqual({ x1: 4, y1: 4, x2: 16, y2: 16 });
    expect(keyboardStep(400, 200)).toBe(2);
    expect(keyboardStep(30, 30)).toBe(1);
  });

  it('moves a box without changing its size or leaving the image', () => {
    const box = { x1: 10, y1: 10, x2: 40, y2: 30 };
    expect(moveBox(box, 5, -3, 100, 80)).toEqual({ x1: 15, y1: 7, x2: 45, y2: 27 });
    expect(moveBox(box, 500, 500, 100, 80)).toEqual({ x1: 70, y1: 60, x2: 100, y2: 80 });
    expect(moveBox(box, -500, -500, 100, 80)).toEqual({ x1: 0, y1: 0, x2: 30, y2: 20 });
  });

  it('resizes between the smallest face and the image edge', () => {
    const box = { x1: 10, y1: 10, x2: 40, y2: 30 };
    expect(resizeBox(box, 5, 5, 100, 80)).toEqual({ x1: 10, y1: 10, x2: 45, y2: 35 });
    expect(resizeBox(box, -100, -100, 100, 80)).toEqual({ x1: 10, y1: 10, x2: 10 + MIN_DRAWN_SIDE, y2: 10 + MIN_DRAWN_SIDE });
    expect(resizeBox(box, 500, 500, 100, 80)).toEqual({ x1: 10, y1: 10, x2: 100, y2: 80 });
  });
});
