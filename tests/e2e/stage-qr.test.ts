/**
 * The stage page's QR code is drawn at build time (src/components/StageQr.astro): every stage
 * page's HTML carries an SVG whose dark modules are exactly the QR matrix of the page's short
 * address on the configured site, so a page served from there runs no QR code in the browser.
 * (Served from another origin, the page redraws it for that origin: stage.test.ts.)
 */
import QRCode from 'qrcode';
import { describe, expect, inject, it } from 'vitest';
import { darkModules } from '../helpers/qr.ts';
import { isStagePage, sitemapPaths } from '../helpers/site.ts';

const baseUrl = inject('baseUrl');

describe('stage QR code drawn at build time', async () => {
  const stagePaths = (await sitemapPaths(baseUrl)).filter(isStagePage);

  it('has stage pages', () => {
    expect(stagePaths.length).toBeGreaterThan(0);
  });

  it.each(stagePaths)('%s carries an SVG QR code of its short address', async (path) => {
    const html = await (await fetch(`${baseUrl}${path}`)).text();
    const svg = /<svg data-qr data-qr-text="([^"]+)"[^>]*>([\s\S]*?)<\/svg>/.exec(html);
    expect(svg, 'an <svg data-qr> in the page').not.toBeNull();
    const [, text, body] = svg!;
    expect(new URL(text!).pathname).toBe(path);
    expect(text, 'no query in the encoded address').not.toContain('?');
    const strokes = /<path stroke="#000000" d="([^"]+)"/.exec(body!);
    expect(strokes, 'the dark modules path').not.toBeNull();
    const drawn = darkModules(strokes![1]!, 1);
    const qr = QRCode.create(text!, { errorCorrectionLevel: 'M' });
    const expected = new Set<string>();
    for (let row = 0; row < qr.modules.size; row++)
      for (let column = 0; column < qr.modules.size; column++) if (qr.modules.get(row, column)) expected.add(`${row},${column}`);
    expect(drawn.size).toBe(expected.size);
    expect([...drawn].filter((module) => !expected.has(module))).toEqual([]);
  });
});
