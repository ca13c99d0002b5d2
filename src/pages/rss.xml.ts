/**
 * /rss.xml: the published case studies, newest edit first (getStudies leaves drafts out of
 * production builds). Each item links to the study and carries its summary, model and roles.
 */
import rss from '@astrojs/rss';
import type { APIContext } from 'astro';
import { getStudies } from '../site/content.ts';
import { ROLE_TITLES } from '../schema/study.ts';

export async function GET(context: APIContext): Promise<Response> {
  const studies = (await getStudies())
    .filter((study) => study.data.status === 'published')
    .sort((a, b) => b.data.updated.localeCompare(a.data.updated) || a.data.title.localeCompare(b.data.title));
  const site = context.site ?? new URL(context.url.origin);
  return rss({
    title: 'r2p: from research to production',
    description: 'Case studies that follow a neural network from research to production, each with the real model running in your browser.',
    site,
    trailingSlash: true,
    xmlns: { atom: 'http://www.w3.org/2005/Atom' },
    customData: `<language>en</language><atom:link href="${new URL('/rss.xml', site).href}" rel="self" type="application/rss+xml"/>`,
    items: studies.map((study) => {
      const { title, summary, updated, model, steps } = study.data;
      return {
        title,
        link: `/studies/${study.id}/`,
        pubDate: new Date(`${updated}T00:00:00Z`),
        description: summary,
        categories: [model.name, model.task, ...new Set(steps.map((step) => ROLE_TITLES[step.role]))],
      };
    }),
  });
}
