/**
 * Used only by the scaling benchmark: writes N studies into a folder by cloning the real ones
 * with new slugs, titles and model names, and a distinct "who" per step, so both diagrams of every
 * generated study differ from all others (the steps diagram shows the "who", the lineage diagram
 * the model name): nothing is served from the diagram cache by accident, as for real new studies.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function generateStudies(sourceDir: string, targetDir: string, count: number): string[] {
  const sources = readdirSync(sourceDir)
    .filter((name) => name.endsWith('.mdx'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(sourceDir, name), 'utf8') }));
  if (sources.length === 0) throw new Error(`No studies in ${sourceDir}.`);
  mkdirSync(targetDir, { recursive: true });
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]!;
    const slug = `${source.name.replace(/\.mdx$/, '')}-copy-${String(i + 1).padStart(3, '0')}`;
    const text = source.text
      .replace(
        /^title: (.*)$/m,
        (_line, title: string) => `title: ${JSON.stringify(`${title.replace(/^['"]|['"]$/g, '')} (copy ${i + 1})`)}`,
      )
      .replace(
        /^(model:\n\s+name: )(.*)$/m,
        (_line, head: string, name: string) => `${head}${JSON.stringify(`${name.replace(/^['"]|['"]$/g, '')} #${i + 1}`)}`,
      )
      // A block scalar ("who: >-") gets the suffix on its first text line; a plain one is re-quoted.
      .replace(
        /^(\s+)who: ([|>][-+]?)\n(\s+)(.*)$/gm,
        (_line, indent: string, style: string, inner: string, first: string) => `${indent}who: ${style}\n${inner}${first} [${i + 1}]`,
      )
      .replace(
        /^(\s+)who: (?![|>])(.*)$/gm,
        (_line, indent: string, who: string) => `${indent}who: ${JSON.stringify(`${who.replace(/^['"]|['"]$/g, '')} [${i + 1}]`)}`,
      );
    writeFileSync(join(targetDir, `${slug}.mdx`), text);
    written.push(slug);
  }
  return written;
}
