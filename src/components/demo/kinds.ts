/**
 * Demo kinds on the page side: every kind is an Astro component taking DemoKindProps. A study
 * names its kind in frontmatter (demo.kind) and its catalog models (demo.models); Demo.astro
 * looks the component up here. The worker side of a kind is a TaskDefinition in
 * src/inference/tasks/registry.ts. See CONTRIBUTING.md, "Adding a demo kind".
 */
import { getModel } from '../../models/catalog.ts';
import type { Study } from '../../schema/study.ts';
import { installedModelIds } from '../../models/installed.ts';
import type { DemoModelOption } from './DemoShell.astro';

export interface DemoKindProps {
  /** Unique id on the page. */
  id: string;
  /** Study slug. */
  study: string;
  /** The study's demo.models with whether each is installed in this build. */
  models: DemoModelOption[];
  /** Sample image names (public/samples/<name>.png). */
  samples: string[];
  /** Presentation mode (/demo/<study>/). */
  stage?: boolean;
  headingLevel?: 1 | 2 | 3;
}

/** The heading tag one level below the demo's own heading. */
export function subHeadingTag(level: 1 | 2 | 3 = 3): 'h2' | 'h3' | 'h4' {
  return level === 1 ? 'h2' : level === 2 ? 'h3' : 'h4';
}

let installed: Set<string> | null = null;

/**
 * Catalog entries with their install state in this build, and the study's stand-in statement for
 * each (demo.standIns: a file's stand-in role belongs to the study that uses it, not to the catalog).
 */
export function withInstallState(ids: readonly string[], standIns: Study['demo']['standIns'] = []): DemoModelOption[] {
  installed ??= installedModelIds();
  return ids.map((id) => {
    const standIn = standIns.find((statement) => statement.model === id);
    return {
      entry: getModel(id),
      installed: installed!.has(id),
      ...(standIn ? { standIn: { for: standIn.for, note: standIn.note } } : {}),
    };
  });
}
