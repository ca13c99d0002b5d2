/**
 * The outline's roles and the skill scale it puts them on (from theoretical to practical), and
 * the hand-offs between them, drawn from every study's steps.
 */
import { ROLES, ROLE_TITLES, STEP_IDS, STEP_TITLES, type Role, type StepId } from '../schema/study.ts';
import type { StudyEntry } from './content.ts';

export interface RoleProfile {
  role: Role;
  title: string;
  /** The outline's description of the role's skills. */
  scale: string;
  /** Position on the scale: 1 theoretical ... 4 practical. */
  practicality: 1 | 2 | 3 | 4;
  /** The step the outline associates with the role. */
  typicalStep: StepId;
}

export const ROLE_PROFILES: RoleProfile[] = [
  {
    role: 'scientist',
    title: ROLE_TITLES.scientist,
    scale: 'Theoretical, heavily mathematical.',
    practicality: 1,
    typicalStep: 'pre-research',
  },
  {
    role: 'phd-postdoc',
    title: ROLE_TITLES['phd-postdoc'],
    scale: 'Partially theoretical, but can hack code together.',
    practicality: 2,
    typicalStep: 'paper-and-initial-implementation',
  },
  {
    role: 'library-engineer',
    title: ROLE_TITLES['library-engineer'],
    scale: 'A little theoretical: knows the concepts of the domain.',
    practicality: 3,
    typicalStep: 'production-implementation',
  },
  {
    role: 'general-developer',
    title: ROLE_TITLES['general-developer'],
    scale: 'Practical.',
    practicality: 4,
    typicalStep: 'accessible-layer',
  },
];

export interface RoleWork {
  study: StudyEntry;
  step: StepId;
  stepTitle: string;
  who: string;
  skills: string[];
}

/** For each role, every step of every study where it did the work. */
export function workByRole(studies: StudyEntry[]): Map<Role, RoleWork[]> {
  const byRole = new Map<Role, RoleWork[]>(ROLES.map((role) => [role, []]));
  for (const study of studies) {
    for (const step of study.data.steps) {
      byRole.get(step.role)?.push({ study, step: step.id, stepTitle: STEP_TITLES[step.id], who: step.who, skills: step.skills });
    }
  }
  return byRole;
}

export interface Handoff {
  from: StepId;
  to: StepId;
  gaps: { study: StudyEntry; fromRole: Role; toRole: Role; gap: string }[];
}

/** The three hand-offs between consecutive steps, with each study's gap. */
export function handoffs(studies: StudyEntry[]): Handoff[] {
  return STEP_IDS.slice(0, -1).map((from, index) => {
    const to = STEP_IDS[index + 1]!;
    return {
      from,
      to,
      gaps: studies.flatMap((study) => {
        const a = study.data.steps[index];
        const b = study.data.steps[index + 1];
        return a && b ? [{ study, fromRole: a.role, toRole: b.role, gap: a.gap }] : [];
      }),
    };
  });
}
