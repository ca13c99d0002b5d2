/**
 * Study markdown rendered with set:html (src/build/markdown.ts): links and images keep web URLs
 * and lose javascript: (and every other non-web scheme), however the scheme is disguised.
 */
import { describe, expect, it } from 'vitest';
import { isSafeUrl, renderInlineMarkdown, renderMarkdown } from '../../src/build/markdown.ts';

describe('URLs in study markdown', () => {
  it('keeps http(s), mailto, relative links and anchors', () => {
    for (const url of [
      'https://arxiv.org/abs/1512.03385',
      'http://example.org',
      'mailto:a@b.c',
      '/studies/mtcnn/',
      '#lineage',
      'page.html',
    ]) {
      expect(isSafeUrl(url), url).toBe(true);
    }
    expect(renderInlineMarkdown('[ResNet](https://arxiv.org/abs/1512.03385)')).toBe(
      '<a href="https://arxiv.org/abs/1512.03385">ResNet</a>',
    );
  });

  it('refuses javascript:, vbscript:, data: and file:, also when disguised', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'vbscript:x',
      'data:text/html,<b>',
      'file:///etc/passwd',
    ]) {
      expect(isSafeUrl(url), JSON.stringify(url)).toBe(false);
    }
  });

  it('drops a javascript: link but keeps its text', () => {
    const html = renderMarkdown('See [the paper](javascript:alert(document.cookie)) and [code](https://github.com/x/y).');
    expect(html).not.toMatch(/javascript:/i);
    expect(html).toContain('See the paper and <a href="https://github.com/x/y">code</a>.');
  });

  it('drops links whose scheme is written with character references or in a reference definition', () => {
    const html = renderMarkdown('[a](&#106;avascript:alert(1)) [b][evil]\n\n[evil]: javascript:alert(2)\n\n<javascript:alert(3)>');
    expect(html).not.toMatch(/href="\s*javascript/i);
    expect(html).not.toMatch(/javascript:alert\(1\)"|javascript:alert\(2\)"/);
    expect(html).toContain('a b');
  });

  it('replaces an image with a javascript: or data: source by its alt text', () => {
    expect(renderInlineMarkdown('![a diagram](javascript:alert(1)) and ![ok](/samples/camera.png)')).toBe(
      'a diagram and <img src="/samples/camera.png" alt="ok">',
    );
  });

  it('still drops raw HTML', () => {
    expect(renderMarkdown('<a href="javascript:alert(1)">x</a> <script>alert(1)</script>')).not.toMatch(/javascript|<script/);
  });
});
