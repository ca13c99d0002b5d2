/**
 * Where the site is served and where its source lives: the one place both are configured.
 *
 *   R2P_SITE_URL=https://r2p.example.org          canonical, og:url, og:image, RSS and sitemap URLs
 *   R2P_REPOSITORY_URL=https://github.com/o/r2p    "Edit this page", issues and CONTRIBUTING links
 *   R2P_REPOSITORY_BRANCH=main                     the branch those links open (default main)
 *
 * astro.config.mjs reads the site URL from here; the r2p integration warns at build time when it
 * is unset (absolute links would then point at the local preview server) and when the repository
 * URL is unset (the pages then show no edit or issue links). R2P_SITE is still read, as the
 * older name of R2P_SITE_URL.
 */

/** The local preview server, used for absolute URLs when no site URL is configured. */
export const LOCAL_SITE_URL = 'http://127.0.0.1:4321';

export interface SiteConfig {
  /** Origin (and optional base path) the site is served at, ending without a slash. */
  siteUrl: string;
  /** Whether siteUrl was configured, rather than the local fallback. */
  siteUrlConfigured: boolean;
  /** Web address of the source repository (GitHub, GitLab, Gitea, ...), without a trailing slash. */
  repositoryUrl?: string;
  /** Branch the edit links open. */
  branch: string;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL such as https://r2p.example.org, found "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an absolute http(s) URL such as https://r2p.example.org, found "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The configuration from the environment; throws a clear error on a malformed URL. */
export function siteConfig(env: Record<string, string | undefined> = process.env): SiteConfig {
  const site = env.R2P_SITE_URL?.trim() || env.R2P_SITE?.trim();
  const repository = env.R2P_REPOSITORY_URL?.trim();
  return {
    siteUrl: site ? httpUrl('R2P_SITE_URL', site) : LOCAL_SITE_URL,
    siteUrlConfigured: Boolean(site),
    ...(repository ? { repositoryUrl: httpUrl('R2P_REPOSITORY_URL', repository).replace(/\.git$/, '') } : {}),
    branch: env.R2P_REPOSITORY_BRANCH?.trim() || 'main',
  };
}

/** Links into the repository for one file, or undefined when no repository is configured. */
export interface RepositoryLinks {
  home: string;
  contributing: string;
  issues: string;
  /** Opens the file in the host's web editor (GitHub, GitLab and Gitea share this path shape). */
  edit?: string;
  /** A new issue with the title filled in. */
  newIssue?: string;
}

export function repositoryLinks(config: SiteConfig, file?: string, issueTitle?: string): RepositoryLinks | undefined {
  const repo = config.repositoryUrl;
  if (!repo) return undefined;
  return {
    home: repo,
    contributing: `${repo}/blob/${config.branch}/CONTRIBUTING.md`,
    issues: `${repo}/issues`,
    ...(file ? { edit: `${repo}/edit/${config.branch}/${file}` } : {}),
    ...(issueTitle ? { newIssue: `${repo}/issues/new?title=${encodeURIComponent(issueTitle)}` } : {}),
  };
}

/** Build-time warnings about missing configuration, one line each. */
export function configWarnings(config: SiteConfig): string[] {
  const warnings: string[] = [];
  if (!config.siteUrlConfigured) {
    warnings.push(
      `R2P_SITE_URL is not set: canonical links, og:url, og:image, the RSS feed and the sitemap point at ${LOCAL_SITE_URL}/. ` +
        'Set it to the public address before deploying, e.g. R2P_SITE_URL=https://r2p.example.org npm run build.',
    );
  }
  if (!config.repositoryUrl) {
    warnings.push(
      'R2P_REPOSITORY_URL is not set: pages show no "Edit this page", issues or CONTRIBUTING links. ' +
        'Set it to the repository, e.g. R2P_REPOSITORY_URL=https://github.com/<owner>/r2p.',
    );
  }
  return warnings;
}
