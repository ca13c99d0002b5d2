/** The demo's variant choice (src/demos/variants.ts): URL parameter, default, fall-back notes. */
import { describe, expect, it } from 'vitest';
import { parseVariantParam, resolveVariant, type VariantTable } from '../../src/demos/variants.ts';
import { summariseResult } from '../../src/demos/variant-compare.ts';

const table: VariantTable = {
  resnet: {
    members: [
      { kind: 'fp32', id: 'resnet', bytes: 100, label: 'as published' },
      { kind: 'fp16', id: 'resnet-fp16', bytes: 50, label: 'weights stored as float16' },
      { kind: 'int8', id: 'resnet-int8', bytes: 25, label: 'int8 weights' },
    ],
    defaultKind: 'int8',
  },
};

describe('demo variant choice', () => {
  it('reads ?variant=', () => {
    expect(parseVariantParam('?variant=fp16')).toBe('fp16');
    expect(parseVariantParam('?variant=int8-qdq&autorun=1')).toBe('int8-qdq');
    expect(parseVariantParam('?sample=chelsea')).toBeNull();
    expect(parseVariantParam('?variant=int4')).toBe('invalid');
  });

  it('uses the default when nothing is asked for, the requested kind when installed', () => {
    expect(resolveVariant(table, 'resnet', null)).toEqual({ id: 'resnet-int8', kind: 'int8', note: null });
    expect(resolveVariant(table, 'resnet', 'fp32')).toEqual({ id: 'resnet', kind: 'fp32', note: null });
    expect(resolveVariant(table, 'resnet', 'fp16').id).toBe('resnet-fp16');
  });

  it('says so when the requested kind is missing or unknown, and runs the default', () => {
    expect(resolveVariant(table, 'resnet', 'int8-qdq')).toEqual({
      id: 'resnet-int8',
      kind: 'int8',
      note: 'The int8-qdq variant of resnet is not installed on this site; using int8.',
    });
    expect(resolveVariant(table, 'resnet', 'invalid').note).toMatch(/Unknown variant: use one of fp32, fp16, int8, int8-qdq/);
  });

  it('runs a model without variants as it is', () => {
    expect(resolveVariant(table, 'mtcnn-pnet', 'int8')).toEqual({ id: 'mtcnn-pnet', kind: 'fp32', note: null });
  });

  it('summarises a classification and a face comparison for the compare table', () => {
    expect(summariseResult({ top5: [{ label: 'Egyptian cat, x', probability: 0.745 }] })).toBe('Egyptian cat 74.5%');
    expect(summariseResult({ verdicts: [['different']], distances: [[0.91]] })).toBe('different (0.9100)');
    expect(summariseResult({ verdicts: [['same', 'different']], distances: [[0.2, 0.8]] })).toBe('same (0.2000), different (0.8000)');
    expect(summariseResult({ faces: [{}, {}] })).toBe('2 faces');
    expect(summariseResult({ faces: [{ box: { x1: 180.6, y1: 62.2, x2: 266.4, y2: 173.5 } }] })).toBe('1 face: (181, 62)–(266, 174)');
    expect(summariseResult({ faces: [] })).toBe('0 faces');
  });
});
