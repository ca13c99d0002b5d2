/**
 * Content collections. The schemas live in src/schema/study.ts so the stand-alone validator
 * and the tests use exactly the same rules as the build.
 */
import { defineCollection } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { paperSchema, studySchema } from './schema/study.ts';
import { contentLocation } from './integrations/content-location.ts';

const location = contentLocation(process.cwd());

/** Case studies: one MDX file per model, following the research-to-production outline. */
const studies = defineCollection({
  loader: glob({ pattern: '*.mdx', base: location.studiesDir }),
  schema: studySchema,
});

/** The shared bibliography that studies cite by id. */
const papers = defineCollection({
  loader: file(location.papersFile),
  schema: paperSchema,
});

export const collections = { studies, papers };
