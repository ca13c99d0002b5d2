import { describe, expect, it } from 'vitest';
import { citationLabel, paperUrl, splitName, toBibtex } from '../../src/site/bibtex.ts';
import type { Paper } from '../../src/schema/study.ts';

const resnet: Paper = {
  id: 'he2016resnet',
  title: 'Deep Residual Learning for Image Recognition',
  authors: ['Kaiming He', 'Xiangyu Zhang', 'Shaoqing Ren', 'Jian Sun'],
  year: 2016,
  venue: 'CVPR',
  arxiv: '1512.03385',
  doi: '10.1109/CVPR.2016.90',
};
const mtcnn: Paper = {
  id: 'zhang2016mtcnn',
  title: 'Joint Face Detection and Alignment Using Multitask Cascaded Convolutional Networks',
  authors: ['Kaipeng Zhang', 'Zhanpeng Zhang', 'Zhifeng Li', 'Yu Qiao'],
  year: 2016,
  venue: 'IEEE Signal Processing Letters',
  doi: '10.1109/LSP.2016.2603342',
};

describe('bibliography formatting', () => {
  it('splits names, keeping particles with the family name', () => {
    expect(splitName('Kaiming He')).toEqual({ given: 'Kaiming', family: 'He' });
    expect(splitName('Laurens van der Maaten')).toEqual({ given: 'Laurens', family: 'van der Maaten' });
  });

  it('keeps organisations whole', () => {
    expect(splitName('{Facebook AI Research}')).toEqual({ literal: 'Facebook AI Research' });
    expect(citationLabel({ ...resnet, authors: ['{PyTorch team}'], year: 2017 })).toBe('PyTorch team 2017');
    expect(toBibtex([{ ...resnet, authors: ['{PyTorch team}'] }])).toMatch(/author = \{\{PyTorch team\}\}/);
  });

  it('writes BibTeX entries with keys, authors, year and DOI', () => {
    const bib = toBibtex([resnet, mtcnn]);
    expect(bib).toMatch(/@inproceedings\{he2016resnet,/);
    expect(bib).toMatch(/@article\{zhang2016mtcnn,/);
    expect(bib).toMatch(/author = \{He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian\}/);
    expect(bib).toMatch(/year = \{2016\}/);
    expect(bib).toMatch(/doi = \{10.1109\/LSP.2016.2603342\}/);
    expect(bib.match(/^@/gm)).toHaveLength(2);
  });

  it('labels citations author-year', () => {
    expect(citationLabel(resnet)).toBe('He et al. 2016');
    expect(citationLabel({ ...resnet, authors: ['Karen Simonyan', 'Andrew Zisserman'] })).toBe('Simonyan and Zisserman 2016');
  });

  it('links to the URL, then arXiv, then the DOI', () => {
    expect(paperUrl(resnet)).toBe('https://arxiv.org/abs/1512.03385');
    expect(paperUrl(mtcnn)).toBe('https://doi.org/10.1109/LSP.2016.2603342');
  });
});
