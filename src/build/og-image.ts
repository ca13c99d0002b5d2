/**
 * Open Graph images for the case studies (1200x630 PNG), drawn at build time with satori (layout
 * to SVG) and resvg (SVG to PNG). No external service and no network: the Inter font comes from
 * @fontsource/inter in node_modules (satori reads WOFF, not WOFF2).
 *
 * The card, light: the site's mark and name, the model and its year, the study title, and the
 * four steps from research to product, each with the role that did the work in its colour.
 *
 * cachedOgPng() keeps the PNGs on disk, keyed by a hash of the whole element tree (every text and
 * style), the fonts and the library versions, so an unchanged card is not drawn again (30-70 ms
 * each) and any change to the card or its layout code draws a new one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

export interface OgStep {
  /** Step title, e.g. "Pre-research". */
  step: string;
  /** Role title, e.g. "Scientist / researcher". */
  role: string;
  /** Role id, which picks the colour. */
  roleId: string;
}

export interface OgCard {
  title: string;
  model: string;
  year: number;
  task: string;
  steps: OgStep[];
}

/** Light-theme colours, as in src/styles/global.css. */
export const OG_COLOURS = {
  bg: '#ffffff',
  soft: '#f4f5f7',
  text: '#16181d',
  textSoft: '#4a4f5a',
  border: '#d8dbe1',
  accent: '#1d4ed8',
  roles: {
    scientist: '#7c3aed',
    'phd-postdoc': '#0e7490',
    'library-engineer': '#b45309',
    'general-developer': '#15803d',
  } as Record<string, string>,
};

/** A satori element: the React-like shape satori takes, without React. */
interface Node {
  type: string;
  props: { style?: Record<string, string | number>; children?: (Node | string)[] | Node | string; [key: string]: unknown };
}

const el = (
  type: string,
  style: Record<string, string | number>,
  children?: (Node | string)[] | Node | string,
  extra: Record<string, unknown> = {},
): Node => ({
  type,
  props: { style, children, ...extra },
});

/** Title size that keeps long titles within three lines. */
export function titleSize(title: string): number {
  if (title.length <= 40) return 64;
  if (title.length <= 70) return 54;
  if (title.length <= 100) return 46;
  return 40;
}

/** The card's element tree (exported for tests). */
export function ogLayout(card: OgCard): Node {
  const c = OG_COLOURS;
  const mark = el(
    'svg',
    { width: 44, height: 44 },
    [
      { type: 'rect', props: { width: 32, height: 32, rx: 7, fill: c.text } },
      {
        type: 'path',
        props: {
          d: 'M7 22V10h6a4 4 0 0 1 0 8H9m6 4 4-8m3 8V10h3a4 4 0 0 1 0 8h-3',
          fill: 'none',
          stroke: c.bg,
          'stroke-width': 2.2,
          'stroke-linecap': 'round',
          'stroke-linejoin': 'round',
        },
      },
    ],
    { viewBox: '0 0 32 32', width: 44, height: 44 },
  );
  const brand = el('div', { display: 'flex', alignItems: 'center', gap: 14 }, [
    mark,
    el('div', { fontSize: 30, fontWeight: 800, color: c.text }, 'r2p'),
    el('div', { fontSize: 24, color: c.textSoft, marginLeft: 6 }, 'from research to production'),
  ]);
  const modelLine = el('div', { display: 'flex', alignItems: 'center', gap: 16, marginTop: 44 }, [
    el('div', { fontSize: 28, fontWeight: 700, color: c.bg, background: c.accent, borderRadius: 10, padding: '4px 16px' }, card.model),
    el('div', { fontSize: 28, fontWeight: 600, color: c.textSoft }, String(card.year)),
  ]);
  const title = el(
    'div',
    {
      display: 'flex',
      fontSize: titleSize(card.title),
      fontWeight: 800,
      color: c.text,
      lineHeight: 1.15,
      marginTop: 22,
      letterSpacing: -0.5,
    },
    card.title,
  );
  const steps = el(
    'div',
    { display: 'flex', gap: 14, marginTop: 'auto' },
    card.steps.map((step, index) => {
      const colour = c.roles[step.roleId] ?? c.accent;
      return el(
        'div',
        {
          display: 'flex',
          flexDirection: 'column',
          flex: 1,
          background: c.soft,
          borderRadius: 12,
          borderTop: `8px solid ${colour}`,
          padding: '14px 16px 16px',
        },
        [
          el(
            'div',
            { fontSize: 17, fontWeight: 600, color: c.textSoft, textTransform: 'uppercase', letterSpacing: 1 },
            `Step ${index + 1}`,
          ),
          el('div', { fontSize: 21, fontWeight: 600, color: c.text, marginTop: 4, lineHeight: 1.2 }, step.step),
          el('div', { fontSize: 21, fontWeight: 800, color: colour, marginTop: 'auto', paddingTop: 10, lineHeight: 1.2 }, step.role),
        ],
      );
    }),
  );
  return el(
    'div',
    {
      width: OG_WIDTH,
      height: OG_HEIGHT,
      boxSizing: 'border-box',
      display: 'flex',
      flexDirection: 'column',
      background: c.bg,
      paddingTop: 48,
      paddingRight: 60,
      paddingBottom: 44,
      paddingLeft: 60,
      fontFamily: 'Inter',
      borderBottom: `14px solid ${c.accent}`,
    },
    [brand, modelLine, title, steps],
  );
}

let fonts: { name: string; data: Buffer; weight: 400 | 600 | 700 | 800; style: 'normal' }[] | null = null;

/** Inter from node_modules; resolved from this module, else from the project folder. */
function loadFonts(): NonNullable<typeof fonts> {
  if (fonts) return fonts;
  const file = (weight: number) => `@fontsource/inter/files/inter-latin-${weight}-normal.woff`;
  const resolve = (specifier: string) => {
    for (const base of [import.meta.url, join(process.cwd(), 'package.json')]) {
      try {
        return createRequire(base).resolve(specifier);
      } catch {
        // try the next base
      }
    }
    throw new Error(`OG images need ${specifier} (npm install @fontsource/inter).`);
  };
  fonts = ([400, 600, 700, 800] as const).map((weight) => ({
    name: 'Inter',
    data: readFileSync(resolve(file(weight))),
    weight,
    style: 'normal' as const,
  }));
  return fonts;
}

/** The card as SVG text (satori). */
export async function ogSvg(card: OgCard): Promise<string> {
  // satori's types name React's ReactNode; the plain element objects are what it reads.
  return satori(ogLayout(card) as unknown as Parameters<typeof satori>[0], { width: OG_WIDTH, height: OG_HEIGHT, fonts: loadFonts() });
}

/** The card as a PNG, 1200x630. */
export async function ogPng(card: OgCard): Promise<Uint8Array<ArrayBuffer>> {
  const svg = await ogSvg(card);
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: OG_WIDTH }, font: { loadSystemFonts: false } }).render().asPng();
  return new Uint8Array(png);
}

function packageVersion(name: string): string {
  for (const base of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      return (JSON.parse(readFileSync(createRequire(base).resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      // try the next base
    }
  }
  return 'unknown';
}

/** The cache key of a card: its element tree, size, fonts and the versions of satori and resvg. */
export function ogCacheKey(card: OgCard): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([ogLayout(card), OG_WIDTH, OG_HEIGHT, packageVersion('satori'), packageVersion('@resvg/resvg-js')]));
  for (const font of loadFonts()) hash.update(font.data);
  return hash.digest('hex');
}

function defaultOgCacheDir(): string {
  return process.env.R2P_OG_CACHE || join(process.cwd(), 'node_modules/.cache/r2p-og');
}

/** ogPng() through a disk cache (default node_modules/.cache/r2p-og, or R2P_OG_CACHE). */
export async function cachedOgPng(card: OgCard, cacheDir = defaultOgCacheDir()): Promise<Uint8Array<ArrayBuffer>> {
  const file = join(cacheDir, `${ogCacheKey(card)}.png`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // not cached yet
  }
  const png = await ogPng(card);
  await mkdir(cacheDir, { recursive: true });
  // Write then rename, so a concurrent build never reads half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, png);
  await rename(temporary, file);
  return png;
}
