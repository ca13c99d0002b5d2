/**
 * Related studies come from shared papers (src/site/related.ts), over the studies on disk: every
 * pair that shares a paper links both ways, and a study whose architecture paper sits in another
 * study's lineage (VGG in ResNet's) is listed first there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFrontmatter } from '../../src/schema/validate.ts';
import { studySchema, type Study } from '../../src/schema/study.ts';
import { relatedStudies, studyPaperIds, type StudyRef } from '../../src/site/related.ts';

const STUDIES_DIR = fileURLToPath(new URL('../../src/content/studies/', import.meta.url));
const studies: StudyRef[] = readdirSync(STUDIES_DIR)
  .filter((name) => name.endsWith('.mdx'))
  .map((name) => ({ id: name.slice(0, -4), data: studySchema.parse(readFrontmatter(readFileSync(join(STUDIES_DIR, name), 'utf8')).data) }));

/** A VGG-16 study: another study's frontmatter with VGG's paper as its architecture paper. */
function vggStudy(base: Study): StudyRef {
  const data = structuredClone(base);
  data.title = 'VGG-16';
  data.model.name = 'VGG-16';
  data.steps[1]!.artifacts = [
    { kind: 'paper', title: 'VGG', url: 'https://arxiv.org/abs/1409.1556', date: '2014-09', paper: 'simonyan2015vgg' },
  ];
  data.lineage.nodes = [
    { id: 'vgg', kind: 'paper', paper: 'simonyan2015vgg' },
    { id: 'alexnet', kind: 'paper', paper: 'krizhevsky2012alexnet' },
  ];
  data.references = ['simonyan2015vgg'];
  return { id: 'vgg-16', data };
}

describe('related studies', () => {
  it('links every pair of studies on disk that share a paper, both ways, and no other', () => {
    expect(studies.length).toBeGreaterThanOrEqual(2);
    for (const study of studies) {
      const related = relatedStudies(study, studies);
      for (const other of studies) {
        if (other.id === study.id) continue;
        const shares = [...studyPaperIds(study.data)].some((id) => studyPaperIds(other.data).has(id));
        expect(
          related.some((item) => item.id === other.id),
          `${study.id} -> ${other.id}`,
        ).toBe(shares);
      }
      expect(related.every((item) => item.shared.length > 0)).toBe(true);
    }
  });

  it('lists a study whose paper is in this lineage first (VGG on the ResNet-34 page)', () => {
    const resnet = studies.find((study) => study.id === 'resnet-34')!;
    expect(studyPaperIds(resnet.data).has('simonyan2015vgg')).toBe(true);
    const all = [...studies, vggStudy(resnet.data)];
    const related = relatedStudies(resnet, all);
    expect(related[0]).toMatchObject({ id: 'vgg-16', ownPaperHere: true });
    expect(related[0]!.shared).toContain('simonyan2015vgg');
    const back = relatedStudies(all.at(-1)!, all).find((item) => item.id === 'resnet-34');
    expect(back).toMatchObject({ ownPaperHere: false, shared: expect.arrayContaining(['simonyan2015vgg']) });
  });

  it('lists nothing for a study that shares no paper', () => {
    const lonely = vggStudy(studies[0]!.data);
    lonely.data.references = ['nobody'];
    lonely.data.lineage.nodes = [];
    lonely.data.steps = lonely.data.steps.map((step) => ({ ...step, artifacts: [] }));
    expect(relatedStudies(lonely, [...studies, lonely])).toEqual([]);
  });
});
