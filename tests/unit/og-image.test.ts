/** Open Graph cards: the layout carries the title, model, year and four roles, and renders a 1200x630 PNG offline. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OG_COLOURS,
  OG_HEIGHT,
  OG_WIDTH,
  cachedOgPng,
  ogCacheKey,
  ogLayout,
  ogPng,
  titleSize,
  type OgCard,
} from '../../src/build/og-image.ts';

const card: OgCard = {
  title: 'ResNet-34: from residual learning to a one-line image classifier',
  model: 'ResNet-34',
  year: 2015,
  task: 'Image classification',
  steps: [
    { step: 'Pre-research', role: 'Scientist / researcher', roleId: 'scientist' },
    { step: 'Architecture paper and initial implementation', role: 'PhD student / postdoc', roleId: 'phd-postdoc' },
    { step: 'Production-grade implementation', role: 'Library maintainer engineer', roleId: 'library-engineer' },
    { step: 'Accessible layer', role: 'General developer', roleId: 'general-developer' },
  ],
};

/** All text in an element tree. */
function texts(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(texts);
  if (node && typeof node === 'object' && 'props' in node) return texts((node as { props: { children?: unknown } }).props.children);
  return [];
}

describe('og image', () => {
  it('lays out the title, model, year and each step with its role', () => {
    const all = texts(ogLayout(card));
    for (const text of [card.title, card.model, String(card.year), ...card.steps.flatMap((step) => [step.step, step.role])])
      expect(all).toContain(text);
  });

  it('shrinks long titles', () => {
    expect(titleSize('Short')).toBeGreaterThan(titleSize('x'.repeat(90)));
    expect(titleSize('x'.repeat(200))).toBeGreaterThanOrEqual(36);
  });

  it('colours each role as the site does', () => {
    expect(Object.keys(OG_COLOURS.roles).sort()).toEqual(['general-developer', 'library-engineer', 'phd-postdoc', 'scientist']);
  });

  it('renders a 1200x630 PNG with the bundled font', { timeout: 60_000 }, async () => {
    const png = Buffer.from(await ogPng(card));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([OG_WIDTH, OG_HEIGHT]);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('caches PNGs by content: the same card is read back, any change in text draws a new one', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2p-og-'));
    try {
      const first = await cachedOgPng(card, dir);
      expect(readdirSync(dir)).toEqual([`${ogCacheKey(card)}.png`]);
      // A planted file proves the second call reads the cache instead of drawing.
      writeFileSync(join(dir, `${ogCacheKey(card)}.png`), 'planted');
      expect(Buffer.from(await cachedOgPng(card, dir)).toString()).toBe('planted');
      const retitled = { ...card, title: `${card.title}, revised` };
      expect(ogCacheKey(retitled)).not.toBe(ogCacheKey(card));
      const second = await cachedOgPng(retitled, dir);
      expect(Buffer.from(second).subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
      expect(readdirSync(dir).filter((name) => name.endsWith('.png'))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
