/** The lineage figure's rows and kinds, and the studies' reading order, on the studies on disk and on fixtures. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lineageGenerations, lineageKind, lineageRows } from '../../src/components/study/lineage-layout.ts';
import { storyOrder } from '../../src/components/study/story-order.ts';
import { readFrontmatter } from '../../src/schema/validate.ts';
import { studySchema, type LineageNode, type Study } from '../../src/schema/study.ts';

const STUDIES_DIR = fileURLToPath(new URL('../../src/content/studies/', import.meta.url));
const studies = readdirSync(STUDIES_DIR)
  .filter((name) => name.endsWith('.mdx'))
  .map((name) => ({
    id: name.replace(/\.mdx$/, ''),
    data: studySchema.parse(readFrontmatter(readFileSync(join(STUDIES_DIR, name), 'utf8')).data),
  }));

type Edge = Study['lineage']['edges'][number];
const paper = (id: string): LineageNode => ({ id, kind: 'paper', paper: id });
const code = (id: string, label: string, url: string): LineageNode => ({ id, kind: 'implementation', label, url, year: 2020 });

describe('lineage rows', () => {
  it.each(studies.map((study) => [study.id, study.data] as const))(
    '%s: every node once, every link pointing to an older row',
    (_id, study) => {
      const { nodes, edges } = study.lineage;
      const rows = lineageRows(nodes, edges);
      expect(
        rows
          .flat()
          .map((node) => node.id)
          .sort(),
      ).toEqual(nodes.map((node) => node.id).sort());
      const rowOf = new Map(rows.flatMap((row, index) => row.map((node) => [node.id, index] as const)));
      for (const edge of edges.filter((candidate) => candidate.relation !== 'concurrent-with')) {
        expect(rowOf.get(edge.from)!, `${edge.from} ${edge.relation} ${edge.to}`).toBeGreaterThan(rowOf.get(edge.to)!);
      }
      expect(rows.every((row) => row.length > 0)).toBe(true);
    },
  );

  it('puts a node one row below the lowest older node it relates to, ignoring concurrent work, and survives a cycle', () => {
    const nodes = [paper('a'), paper('b'), paper('c'), paper('d')];
    const edges: Edge[] = [
      { from: 'b', to: 'a', relation: 'builds-on' },
      { from: 'c', to: 'b', relation: 'builds-on' },
      { from: 'c', to: 'a', relation: 'builds-on' },
      { from: 'd', to: 'c', relation: 'concurrent-with' },
    ];
    expect(Object.fromEntries(lineageGenerations(nodes, edges))).toEqual({ a: 0, b: 1, c: 2, d: 0 });
    const cyclic: Edge[] = [
      { from: 'a', to: 'b', relation: 'builds-on' },
      { from: 'b', to: 'a', relation: 'builds-on' },
    ];
    expect([...lineageGenerations(nodes.slice(0, 2), cyclic).values()].sort()).toEqual([1, 2]);
  });
});

describe('lineage kinds', () => {
  it('tells papers, weights, libraries and research code apart', () => {
    expect(lineageKind(paper('p'), [])).toBe('paper');
    expect(lineageKind(code('hf', 'someone/model', 'https://huggingface.co/someone/model'), [])).toBe('weights');
    expect(lineageKind(code('zoo', 'ONNX Model Zoo net', 'https://github.com/onnx/models/tree/main/x'), [])).toBe('weights');
    expect(lineageKind(code('lib', 'face-api.js', 'https://github.com/x/face-api.js'), [])).toBe('library');
    expect(lineageKind(code('pypi', 'mtcnn (PyPI)', 'https://github.com/x/mtcnn'), [])).toBe('library');
    expect(lineageKind(code('w', 'wrapper', 'https://github.com/x/wrapper'), [{ from: 'w', to: 'hf', relation: 'wraps' }])).toBe('library');
    expect(lineageKind(code('repo', 'Official MATLAB release', 'https://github.com/x/release'), [])).toBe('code');
  });
});

describe('story order', () => {
  it('orders by year, but puts a study after the one whose task its demo needs', () => {
    const ordered = storyOrder(studies).map((study) => study.id);
    expect(ordered).toHaveLength(studies.length);
    for (const [index, study] of storyOrder(studies).entries()) {
      const needs = study.data.demo.kind === 'face-embedding' ? ['face-detection'] : [];
      for (const task of needs) {
        const provider = ordered.findIndex((id) => studies.find((other) => other.id === id)!.data.demo.kind === task);
        if (provider >= 0) expect(provider, `${study.id} comes after the study that provides ${task}`).toBeLessThan(index);
      }
    }
    const fixture = (id: string, year: number, kind: Study['demo']['kind']) => ({
      id,
      data: { title: id, model: { year } as Study['model'], demo: { kind } as Study['demo'] },
    });
    expect(
      storyOrder([
        fixture('embed', 2015, 'face-embedding'),
        fixture('classify', 2015, 'image-classification'),
        fixture('detect', 2016, 'face-detection'),
      ]).map((s) => s.id),
    ).toEqual(['classify', 'detect', 'embed']);
  });
});
