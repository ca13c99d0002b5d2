/** The search index's /papers/ rewrite: each paper's title becomes a heading carrying the paper's id. */
import { describe, expect, it } from 'vitest';
import { EXCLUDED_SELECTORS, paperSubResults, separateTableCells } from '../../src/integrations/search.ts';

describe('paperSubResults', () => {
  it('turns each paper title into an h2 with the entry id, keeping the rest', () => {
    const html =
      '<ol class="papers" data-astro-cid-x><li id="he2016resnet" data-astro-cid-x><p class="title" data-astro-cid-x><a href="https://arxiv.org/abs/1512.03385">Deep Residual Learning</a></p><p class="muted">He et al.</p></li>' +
      '<li id="lfw"><p class="title"><a href="#">Labeled Faces</a></p></li></ol>';
    const out = paperSubResults(html);
    expect(out).toContain(
      '<li data-astro-cid-x><h2 id="he2016resnet" class="title" data-astro-cid-x><a href="https://arxiv.org/abs/1512.03385">Deep Residual Learning</a></h2><p class="muted">He et al.</p></li>',
    );
    expect(out).toContain('<li><h2 id="lfw" class="title"><a href="#">Labeled Faces</a></h2></li>');
    // Each id stays unique.
    expect(out.match(/id="he2016resnet"/g)).toHaveLength(1);
  });

  it('leaves other list items alone', () => {
    const html = '<ul><li id="a"><p>text</p></li><li>plain</li></ul>';
    expect(paperSubResults(html)).toBe(html);
  });

  it('keeps the demo and the table of contents out of the index', () => {
    expect(EXCLUDED_SELECTORS).toEqual(expect.arrayContaining(['[data-demo]', 'nav.toc']));
  });
});

describe('separateTableCells', () => {
  it('ends every cell with a separator inside the cell, so words of adjacent cells stay apart', () => {
    const html =
      '<table><tr><th>Model</th><th>Backend</th>\n<th>Threads</th></tr><tr><td>ResNet-50</td> <td>WASM</td><td>1</td></tr></table>';
    expect(separateTableCells(html)).toBe(
      '<table><tr><th>Model · </th><th>Backend · </th>\n<th>Threads; </th></tr><tr><td>ResNet-50 · </td> <td>WASM · </td><td>1; </td></tr></table>',
    );
  });

  it('leaves HTML without tables alone', () => {
    const html = '<p>Model</p><p>Backend</p>';
    expect(separateTableCells(html)).toBe(html);
  });
});
