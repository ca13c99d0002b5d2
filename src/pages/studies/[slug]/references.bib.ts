/** /studies/<slug>/references.bib: the study's references as BibTeX. */
import type { APIRoute } from 'astro';
import { toBibtex } from '../../../site/bibtex.ts';
import { getPapers, getStudies, studyPapers, type StudyEntry } from '../../../site/content.ts';

export async function getStaticPaths() {
  const studies = await getStudies();
  return studies.map((study) => ({ params: { slug: study.id }, props: { study } }));
}

export const GET: APIRoute<{ study: StudyEntry }> = async ({ props }) => {
  const papers = studyPapers(props.study, await getPapers());
  return new Response(toBibtex(papers), { headers: { 'Content-Type': 'application/x-bibtex; charset=utf-8' } });
};
