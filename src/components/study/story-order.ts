/**
 * The order a reader meets the studies in (home page cards, previous / next links): by the
 * model's year, except that a study whose demo builds on another study's task comes after it
 * (FaceNet's demo needs MTCNN's face detector, so MTCNN is read first).
 */
import { DEMO_KIND_TASKS, type Study } from '../../schema/study.ts';

type Ordered = { id: string; data: Pick<Study, 'model' | 'title' | 'demo'> };

export function storyOrder<T extends Ordered>(studies: readonly T[]): T[] {
  const provides = (study: T) => DEMO_KIND_TASKS[study.data.demo.kind][0];
  const needs = (study: T) => DEMO_KIND_TASKS[study.data.demo.kind].slice(1);
  const waiting = [...studies].sort((a, b) => a.data.model.year - b.data.model.year || a.data.title.localeCompare(b.data.title));
  const ordered: T[] = [];
  while (waiting.length > 0) {
    // The first (earliest) study none of whose needs is still provided by a waiting study; if
    // every one waits on another (a cycle), the earliest.
    const index = waiting.findIndex(
      (study) => !needs(study).some((task) => waiting.some((other) => other !== study && provides(other) === task)),
    );
    ordered.push(...waiting.splice(Math.max(index, 0), 1));
  }
  return ordered;
}
