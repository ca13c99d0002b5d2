/**
 * What the face-embedding demo's compare mode must report for two photos of different people
 * with one face each, and what its triplets view must show for them (each face an anchor with its
 * mirror image as the positive). Shared by facenet.test.ts and triplets.test.ts.
 */
import { expect } from 'vitest';
import { classifyNegative } from '../../src/inference/math/triplets.ts';

export interface CompareResultFields {
  mode: string;
  embedderId: string;
  threshold: number;
  embeddingLength: number;
  images: { timings: { detectMs: number; alignMs: number; embedMs: number } }[];
  faces: { score: number; landmarks: number[][] }[][];
  distances: number[][];
  verdicts: string[][];
}

export interface TripletsFields {
  distances: number[][];
  triplets: {
    margin: number;
    pairs: { anchor: string; positive: string; distance: number; negatives: { face: string; distance: number; kind: string }[] }[];
  };
}

/** Two different people, one face each: the verdict, the numbers and the page text that says it. */
export function expectDifferentPeople(result: CompareResultFields, text: string, embedderId: string): void {
  expect(result.mode).toBe('compare');
  expect(result.embedderId).toBe(embedderId); // the demo runs the default production variant
  expect(result.threshold).toBe(0.6);
  expect(result.embeddingLength).toBe(128);
  expect(result.faces.map((faces) => faces.length)).toEqual([1, 1]);
  expect(result.faces[0]![0]!.score).toBeGreaterThan(0.9);
  expect(result.faces[0]![0]!.landmarks).toHaveLength(5);
  for (const image of result.images) {
    expect(image.timings.detectMs).toBeGreaterThan(0);
    expect(image.timings.embedMs).toBeGreaterThan(0);
    expect(image.timings.alignMs).toBeGreaterThanOrEqual(0);
  }
  expect(result.verdicts).toEqual([['different']]);
  expect(result.distances[0]![0]!).toBeGreaterThan(0.6);
  // The verdict as text, and the plain statement that this is not FaceNet.
  expect(text).toMatch(/A1 and B1: different people \(distance \d\.\d{3} ≥ 0\.6\)/);
  expect(text).toMatch(/This is not FaceNet \(not installed here\)\./);
}

/** Faces A1 and B1 with their mirror images: two anchor-positive pairs, each negative labelled by the margin rule. */
export function expectMirrorTriplets(result: TripletsFields): void {
  const { pairs, margin } = result.triplets;
  expect(margin).toBe(0.2);
  expect(pairs.map((pair) => [pair.anchor, pair.positive])).toEqual([
    ['A1', 'A1 mirrored'],
    ['B1', 'B1 mirrored'],
  ]);
  for (const pair of pairs) {
    expect(pair.distance).toBeGreaterThan(0);
    expect(pair.distance).toBeLessThan(0.6); // a face and its mirror image: the same person by the demo's own threshold
    expect(pair.negatives.map((n) => n.face)).toEqual(pair.anchor === 'A1' ? ['B1', 'B1 mirrored'] : ['A1', 'A1 mirrored']);
    for (const negative of pair.negatives) expect(negative.kind).toBe(classifyNegative(pair.distance, negative.distance, margin));
  }
  // The anchor-negative distance for A1 and B1 is the compare table's own number.
  expect(pairs[0]!.negatives[0]!.distance).toBeCloseTo(result.distances[0]![0]!, 5);
}
