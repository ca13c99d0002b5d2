/**
 * The content model: zod schemas for case studies and papers.
 *
 * Astro's content collections (src/content.config.ts) and the stand-alone validator
 * (src/schema/validate.ts, run before every build and in the tests) both use these schemas, so
 * a contributor sees the same rules everywhere. Every field carries a one-line doc comment; the
 * messages say what was expected so that the friendly formatter can add what was found.
 */
import { z } from 'astro/zod';
import { MODEL_IDS, type ModelTask } from '../models/catalog.ts';

/** The four steps from research to product, in the order every study must list them. */
export const STEP_IDS = ['pre-research', 'paper-and-initial-implementation', 'production-implementation', 'accessible-layer'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** Human titles of the steps. */
export const STEP_TITLES: Record<StepId, string> = {
  'pre-research': 'Pre-research',
  'paper-and-initial-implementation': 'Architecture paper and initial implementation',
  'production-implementation': 'Production-grade implementation',
  'accessible-layer': 'Accessible layer',
};

/** The roles that work at each step, from the outline. */
export const ROLES = ['scientist', 'phd-postdoc', 'library-engineer', 'general-developer'] as const;
export type Role = (typeof ROLES)[number];

/** Human titles of the roles. */
export const ROLE_TITLES: Record<Role, string> = {
  scientist: 'Scientist / researcher',
  'phd-postdoc': 'PhD student / postdoc',
  'library-engineer': 'Library maintainer engineer',
  'general-developer': 'General developer',
};

/** Kinds of artifact a step can point to. */
export const ARTIFACT_KINDS = ['paper', 'repo', 'library', 'product', 'weights', 'dataset'] as const;

/** Demo kinds a study can embed; each maps to a demo component and a catalog task. */
export const DEMO_KINDS = ['image-classification', 'face-detection', 'face-embedding'] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

/** Which catalog tasks each demo kind can run (a face-embedding demo also needs the detector). */
export const DEMO_KIND_TASKS: Record<DemoKind, readonly ModelTask[]> = {
  'image-classification': ['image-classification'],
  'face-detection': ['face-detection'],
  'face-embedding': ['face-embedding', 'face-detection'],
};

/**
 * Relations between lineage nodes. `concurrent-with` is for parallel work that the paper itself
 * calls concurrent (not a parent): drawn as an undirected dotted link.
 */
export const LINEAGE_RELATIONS = ['builds-on', 'implements', 'ports', 'wraps', 'concurrent-with'] as const;

/** How a trained model can be changed after release. */
export const UPDATABILITY = ['frozen', 'fine-tunable', 'transfer-learnable', 'enrolment'] as const;

const list = (values: readonly string[]) => values.map((value) => `"${value}"`).join(', ');

/** Whether a YYYY, YYYY-MM or YYYY-MM-DD text names a day that exists (no 30 February). */
export function isRealDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number);
  if (day === undefined || month === undefined || year === undefined) return true;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const realDay = (value: string) => isRealDate(value);
const NO_SUCH_DAY = 'expected a day that exists in that month (the month is shorter)';

/**
 * A date as YYYY, YYYY-MM or YYYY-MM-DD. YAML parsers turn bare 2015 into a number and
 * 2015-12-10 into a Date, so both are normalised back to text before checking.
 */
export const partialDate = z.preprocess(
  (value) => {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
    if (typeof value === 'number') return String(value);
    return value;
  },
  z
    .string({ error: 'expected a date written as YYYY, YYYY-MM or YYYY-MM-DD' })
    .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, {
      error: 'expected a date written as YYYY, YYYY-MM or YYYY-MM-DD',
    })
    .refine(realDay, { error: NO_SUCH_DAY }),
);

/** A full calendar date, YYYY-MM-DD. */
export const isoDate = z.preprocess(
  (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value),
  z
    .string({ error: 'expected a date written as YYYY-MM-DD' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'expected a date written as YYYY-MM-DD' })
    .refine(realDay, { error: NO_SUCH_DAY }),
);

/** An absolute http(s) URL. */
export const webUrl = z.url({
  protocol: /^https?$/,
  error: 'expected an absolute http(s) URL such as https://arxiv.org/abs/1512.03385',
});

const text = (what: string) =>
  z
    .string({ error: `expected ${what} (text)` })
    .trim()
    .min(1, { error: `expected ${what}, found an empty text` });

/** A dated artifact: a paper, repository, library, product, weights or dataset with a URL. */
export const artifactSchema = z.strictObject({
  /** What kind of artifact this is. */
  kind: z.enum(ARTIFACT_KINDS, { error: `expected one of ${list(ARTIFACT_KINDS)}` }),
  /** Its name as its authors give it. */
  title: text('the artifact title'),
  /** Where a reader can see it. */
  url: webUrl,
  /** When it appeared: YYYY, YYYY-MM or YYYY-MM-DD. */
  date: partialDate,
  /** Who made it (people or organisation). */
  by: text('who made the artifact').optional(),
  /** The paper id from the bibliography, when the artifact is a paper. */
  paper: z.string().optional(),
});

/** One of the four steps from research to product. */
export const stepSchema = z.strictObject({
  /** Which step this is; the four must appear once each, in order. */
  id: z.enum(STEP_IDS, { error: `expected one of ${list(STEP_IDS)}` }),
  /** What happened at this step (markdown). */
  happened: text('what happened at this step'),
  /** Dated artifacts that document the step. */
  artifacts: z.array(artifactSchema).min(1, { error: 'expected at least one dated artifact' }),
  /** The role that did the work at this step. */
  role: z.enum(ROLES, { error: `expected one of ${list(ROLES)}` }),
  /** The people or organisations in that role. */
  who: text('who did the work'),
  /** The skills that role needed, most theoretical first. */
  skills: z.array(text('a skill')).min(1, { error: 'expected at least one skill' }),
  /** The gap that had to be bridged to reach the next step (for the last step: to reach end users). */
  gap: text('the gap to the next step'),
});

/** A lineage node that is a paper from the bibliography. */
const paperNodeSchema = z.strictObject({
  /** Node id, unique within the study. */
  id: text('a node id'),
  /** A paper node. */
  kind: z.literal('paper'),
  /** Id of the paper in src/content/papers.yaml. */
  paper: text('a paper id'),
});

/** A lineage node that is an implementation (code, weights or a library). */
const implementationNodeSchema = z.strictObject({
  /** Node id, unique within the study. */
  id: text('a node id'),
  /** An implementation node. */
  kind: z.literal('implementation'),
  /** Short label shown in the diagram. */
  label: text('a label'),
  /** Where the implementation lives. */
  url: webUrl,
  /** Year it was first released. */
  year: z.number({ error: 'expected a year as a number' }).int().min(1950).max(2100),
  /** Framework or language. */
  framework: text('a framework').optional(),
  /** Licence of the code or weights. */
  licence: text('a licence').optional(),
  /** How it diverges from the paper: preprocessing, weights, architecture, licence. */
  divergence: text('how it diverges').optional(),
});

/** A node in the lineage graph. */
export const lineageNodeSchema = z.discriminatedUnion('kind', [paperNodeSchema, implementationNodeSchema], {
  error: 'expected a node with kind "paper" or "implementation"',
});

/** An edge in the lineage graph: "from" builds on, implements, ports, wraps or is concurrent with "to". */
export const lineageEdgeSchema = z.strictObject({
  /** The newer node. */
  from: text('a node id'),
  /** The older node it relates to. */
  to: text('a node id'),
  /** How they relate. */
  relation: z.enum(LINEAGE_RELATIONS, { error: `expected one of ${list(LINEAGE_RELATIONS)}` }),
});

/** The model facts the outline asks for. */
export const modelFactsSchema = z.strictObject({
  /** Datasets that trained the model. */
  trainingData: z
    .array(
      z.strictObject({
        /** Dataset name. */
        dataset: text('a dataset name'),
        /** Its size (images, identities, ...), as the source states it. */
        size: text('the dataset size'),
        /** Licence or terms of use. */
        licence: text('the dataset licence or terms'),
        /** Anything else a reader should know, including what is unknown. */
        notes: text('notes').optional(),
      }),
    )
    .min(1, { error: 'expected at least one training dataset' }),
  /** Preprocessing steps that clean the data, and their effect on the raw data. */
  preprocessing: z
    .array(
      z.strictObject({
        /** The step. */
        step: text('a preprocessing step'),
        /** How it changes the raw data. */
        effect: text('the effect on the raw data'),
      }),
    )
    .min(1, { error: 'expected at least one preprocessing step' }),
  /** Additional models used to train it or needed to run it. */
  additionalModels: z.array(
    z.strictObject({
      /** Model name. */
      name: text('a model name'),
      /** What it is used for. */
      purpose: text('what the model is used for'),
      /** Catalog id when the site can run it. */
      modelId: z.enum(MODEL_IDS, { error: `expected a model id from src/models/catalog.ts (${list(MODEL_IDS)})` }).optional(),
    }),
  ),
  /** How the model can be updated. */
  updatability: z.strictObject({
    /** Which kinds of update are possible. */
    modes: z.array(z.enum(UPDATABILITY, { error: `expected one of ${list(UPDATABILITY)}` })).min(1, {
      error: 'expected at least one updatability mode',
    }),
    /** Concrete steps (markdown). */
    how: text('how to update the model'),
  }),
});

/** The data facts the outline asks for. */
export const dataFactsSchema = z.strictObject({
  /** Transforms applied to the data. */
  transforms: z
    .array(
      z.strictObject({
        /** The transform. */
        name: text('a transform name'),
        /** What it does and when (training, inference or both). */
        detail: text('the transform detail'),
      }),
    )
    .min(1, { error: 'expected at least one transform' }),
  /** How the transforms shape the preprocessing the deployed model needs (markdown). */
  shapesPreprocessing: text('how the transforms shape preprocessing'),
  /** Ways to create more training data. */
  moreData: z
    .array(
      z.strictObject({
        /** The method: augmentation, synthetic data, labelling, ... */
        method: text('a method'),
        /** How, and its limits. */
        detail: text('the method detail'),
      }),
    )
    .min(1, { error: 'expected at least one way to create more data' }),
  /** Ethical and legal constraints on collecting or using such data (markdown). */
  constraints: text('the ethical and legal constraints').optional(),
});

/** The live demo embedded in the study. */
export const demoSchema = z.strictObject({
  /** Which demo component to embed. */
  kind: z.enum(DEMO_KINDS, { error: `expected one of ${list(DEMO_KINDS)}` }),
  /** Catalog ids the demo may run, in order of preference. */
  models: z
    .array(z.enum(MODEL_IDS, { error: `expected a model id from src/models/catalog.ts (${list(MODEL_IDS)})` }))
    .min(1, { error: 'expected at least one model id' }),
  /** Sample images (file names without extension in public/samples) offered first. */
  samples: z.array(text('a sample name')).min(1, { error: 'expected at least one sample' }),
  /**
   * Models in demo.models that are not the model this study is about, each with the sentence the
   * demo shows beside it. `for` must be the study's model.name. The statement belongs to the
   * study, not to the catalog: the same file can stand in for different models in different studies.
   */
  standIns: z
    .array(
      z.strictObject({
        /** Catalog id of the file that runs (one of demo.models). */
        model: z.enum(MODEL_IDS, { error: `expected a model id from src/models/catalog.ts (${list(MODEL_IDS)})` }),
        /** The model it stands in for: this study's model.name. */
        for: text("the model it stands in for (the study's model.name)"),
        /** How it differs from the real model, in one or two sentences. */
        note: text('how the stand-in differs'),
      }),
    )
    .optional(),
});

/** A person who wrote or reviewed the study. */
export const contributorSchema = z.strictObject({
  /** Display name. */
  name: text('a contributor name'),
  /** Optional profile URL. */
  url: webUrl.optional(),
});

/** Checks that the four steps appear once each and in order, naming the first one out of place. */
function checkStepOrder(steps: { id: string }[], ctx: z.RefinementCtx): void {
  STEP_IDS.forEach((expected, index) => {
    const found = steps[index]?.id;
    if (found === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `expected step ${index + 1} to be "${expected}", found no step ${index + 1} (the study has ${steps.length})`,
      });
    } else if (found !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'id'],
        message: `expected step ${index + 1} to be "${expected}" (steps go ${STEP_IDS.join(' -> ')})`,
      });
    }
  });
  if (steps.length > STEP_IDS.length) {
    ctx.addIssue({
      code: 'custom',
      path: [STEP_IDS.length],
      message: `expected exactly ${STEP_IDS.length} steps, found ${steps.length}`,
    });
  }
}

/** The frontmatter of a case study. */
export const studySchema = z.strictObject({
  /** Page title. */
  title: text('a title'),
  /** The model the study follows. */
  model: z.strictObject({
    /** Model name, e.g. ResNet-34. */
    name: text('the model name'),
    /** Year of its architecture paper. */
    year: z.number({ error: 'expected a year as a number' }).int().min(1950).max(2100),
    /** What the model does. */
    task: text('the model task'),
  }),
  /** One or two sentences for lists, search and social cards. */
  summary: text('a summary').max(320, { error: 'expected a summary of at most 320 characters' }),
  /** Drafts show in development only. */
  status: z.enum(['draft', 'published'], { error: 'expected "draft" or "published"' }),
  /** Date of the last substantive edit. */
  updated: isoDate,
  /** Who wrote and reviewed it. */
  contributors: z.array(contributorSchema).min(1, { error: 'expected at least one contributor' }),
  /** The four steps from research to product, in order. */
  steps: z.array(stepSchema).superRefine(checkStepOrder),
  /** The trace of prior research and implementations. */
  lineage: z.strictObject({
    /** Papers and implementations. */
    nodes: z.array(lineageNodeSchema).min(2, { error: 'expected at least two lineage nodes' }),
    /** Relations between them. */
    edges: z.array(lineageEdgeSchema).min(1, { error: 'expected at least one lineage edge' }),
  }),
  /** Model facts: data, preprocessing, additional models, updatability. */
  modelFacts: modelFactsSchema,
  /** Data facts: transforms, their effect on preprocessing, creating more data. */
  dataFacts: dataFactsSchema,
  /** The embedded live demo. */
  demo: demoSchema,
  /** Paper ids cited by the study; body citations (<Cite id="..." />) must be listed here too. */
  references: z.array(text('a paper id')).min(1, { error: 'expected at least one reference' }),
});
export type Study = z.infer<typeof studySchema>;
export type Step = z.infer<typeof stepSchema>;
export type LineageNode = z.infer<typeof lineageNodeSchema>;

/** A paper in the shared bibliography. */
export const paperSchema = z
  .strictObject({
    /** Citation key, e.g. he2016resnet. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a lower-case id of letters, digits and dashes' }),
    /** Full title. */
    title: text('a title'),
    /** Authors in publication order, "Given Family"; an organisation in braces, "{PyTorch team}". */
    authors: z.array(text('an author')).min(1, { error: 'expected at least one author' }),
    /** Year of publication. */
    year: z.number({ error: 'expected a year as a number' }).int().min(1900).max(2100),
    /** Journal, conference or "arXiv preprint" / "technical report". */
    venue: text('a venue'),
    /** arXiv identifier such as 1512.03385. */
    arxiv: z
      .string()
      .regex(/^\d{4}\.\d{4,5}$/, { error: 'expected an arXiv id such as 1512.03385' })
      .optional(),
    /** DOI such as 10.1109/CVPR.2016.90. */
    doi: z
      .string()
      .regex(/^10\.\d{4,9}\/\S+$/, { error: 'expected a DOI such as 10.1109/CVPR.2016.90' })
      .optional(),
    /** Canonical URL when there is no arXiv id or DOI, or in addition to them. */
    url: webUrl.optional(),
  })
  .refine((paper) => Boolean(paper.arxiv || paper.doi || paper.url), {
    error: 'expected at least one of arxiv, doi or url',
    path: ['url'],
  });
export type Paper = z.infer<typeof paperSchema>;
