/** Helpers for tests against the built site. */

/** Every page path listed in the built site's sitemap (index plus its sitemap files). */
export async function sitemapPaths(baseUrl: string): Promise<string[]> {
  const locations = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => new URL(match[1]!).pathname);
  const index = await (await fetch(`${baseUrl}/sitemap-index.xml`)).text();
  const paths: string[] = [];
  for (const map of locations(index)) paths.push(...locations(await (await fetch(`${baseUrl}${map}`)).text()));
  return paths;
}

/** A study page of the sitemap: /studies/<id>/. */
export const isStudyPage = (path: string): boolean => /^\/studies\/[^/]+\/$/.test(path);

/** A stage (full-screen demo) page of the sitemap: /demo/<id>/. */
export const isStagePage = (path: string): boolean => /^\/demo\/[^/]+\/$/.test(path);
