/**
 * The site and repository URLs (src/site/config.ts): read from the environment, checked, turned
 * into edit and issue links, and warned about when unset.
 */
import { describe, expect, it } from 'vitest';
import { configWarnings, LOCAL_SITE_URL, repositoryLinks, siteConfig } from '../../src/site/config.ts';

describe('site configuration', () => {
  it('falls back to the local server and warns about both URLs when nothing is set', () => {
    const config = siteConfig({});
    expect(config).toEqual({ siteUrl: LOCAL_SITE_URL, siteUrlConfigured: false, branch: 'main' });
    const warnings = configWarnings(config);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /R2P_SITE_URL is not set: canonical links, og:url, og:image, the RSS feed and the sitemap point at http:\/\/127\.0\.0\.1:4321\//,
    );
    expect(warnings[1]).toMatch(/R2P_REPOSITORY_URL is not set/);
    expect(repositoryLinks(config, 'x.mdx')).toBeUndefined();
  });

  it('uses the configured URLs, without trailing slashes or .git, and the older R2P_SITE name', () => {
    const config = siteConfig({
      R2P_SITE_URL: 'https://r2p.example.org/',
      R2P_REPOSITORY_URL: 'https://github.com/o/r2p.git',
      R2P_REPOSITORY_BRANCH: 'dev',
    });
    expect(config).toEqual({
      siteUrl: 'https://r2p.example.org',
      siteUrlConfigured: true,
      repositoryUrl: 'https://github.com/o/r2p',
      branch: 'dev',
    });
    expect(configWarnings(config)).toEqual([]);
    expect(siteConfig({ R2P_SITE: 'https://old.example.org' }).siteUrl).toBe('https://old.example.org');
    expect(repositoryLinks(config, 'src/content/studies/vgg-16.mdx', 'Study "VGG-16": ')).toEqual({
      home: 'https://github.com/o/r2p',
      contributing: 'https://github.com/o/r2p/blob/dev/CONTRIBUTING.md',
      issues: 'https://github.com/o/r2p/issues',
      edit: 'https://github.com/o/r2p/edit/dev/src/content/studies/vgg-16.mdx',
      newIssue: 'https://github.com/o/r2p/issues/new?title=Study%20%22VGG-16%22%3A%20',
    });
  });

  it('refuses a malformed URL with the variable name', () => {
    expect(() => siteConfig({ R2P_SITE_URL: 'r2p.example.org' })).toThrow(/R2P_SITE_URL must be an absolute http\(s\) URL/);
    expect(() => siteConfig({ R2P_REPOSITORY_URL: 'git@github.com:o/r2p.git' })).toThrow(/R2P_REPOSITORY_URL must be/);
  });
});
