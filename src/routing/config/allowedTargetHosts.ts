/**
 * The per-stage allow-list of target hosts (`allowedTargetHosts`, `ALLOWED_TARGET_HOSTS`): exact host names
 * (`hooks.partner.io`) and `*.`-patterns (`*.example.com`: any subdomain, at any depth, never `example.com`
 * itself). Names compare case-insensitively, without a trailing dot; ports do not matter.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `pattern` is not a usable allow-list entry, or undefined. */
export function allowedHostPatternProblem(pattern: string): string | undefined {
  const name = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  const labels = name.toLowerCase().split('.');
  if (name === '' || labels.some((label) => !LABEL.test(label))) {
    return `must be a host name (hooks.partner.io) or "*." and a domain (*.example.com), got ${JSON.stringify(pattern)}`;
  }
  if (!pattern.startsWith('*.') && pattern.includes('*')) return `may hold "*" only as its first label ("*.example.com"), got ${JSON.stringify(pattern)}`;
  return undefined;
}

/**
 * Parses the comma-separated variable into patterns.
 * @throws naming the variable and the bad entry
 */
export function parseAllowedTargetHosts(raw: string | undefined, name = 'ALLOWED_TARGET_HOSTS'): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const patterns = raw.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  for (const pattern of patterns) {
    const problem = allowedHostPatternProblem(pattern);
    if (problem) throw new Error(`environment variable ${name}: an entry ${problem}`);
  }
  return patterns;
}

/** Whether `host` (a URL's hostname) is one the patterns allow. */
export function isAllowedTargetHost(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1 : name === pattern));
}
