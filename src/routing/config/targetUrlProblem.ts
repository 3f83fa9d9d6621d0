import { isIP } from 'node:net';
import { isAllowedTargetHost } from './allowedTargetHosts';
import { httpUrlProblem } from './httpUrlProblem';

/** How strict the URL checks are: AWS mode refuses what the delivery client would refuse there. */
export interface TargetUrlRules {
  /** Plain `http:` is refused (AWS mode). @default false */
  requireHttps?: boolean;
  /** Loopback, private and link-local addresses are allowed (the local bus). @default true */
  allowPrivateNetworks?: boolean;
  /** Hosts target URLs may name (see `allowedTargetHosts.ts`). @default - any host */
  allowedHosts?: readonly string[];
}

// Literal addresses the SSRF guard refuses in AWS whatever DNS says: loopback, RFC 1918, link-local (the
// instance metadata service), carrier-grade NAT, "this network", IPv6 loopback, unique-local and link-local.
const PRIVATE_IPV4 = [/^127\./, /^10\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^169\.254\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^0\./];
const PRIVATE_IPV6 = [/^::1?$/, /^f[cd][0-9a-f]{2}:/i, /^fe[89ab][0-9a-f]:/i, /^::ffff:(127|10|192\.168|169\.254)\./i];

/**
 * Why a webhook or token URL can never be delivered to under these rules, or undefined. Names that resolve
 * to a private address are caught at delivery (after DNS), since DNS can change; literal ones here.
 */
export function targetUrlProblem(url: unknown, rules: TargetUrlRules = {}): string | undefined {
  const basic = httpUrlProblem(url);
  if (basic !== undefined || typeof url !== 'string') return basic;
  const parsed = new URL(url);
  if (rules.requireHttps && parsed.protocol === 'http:') {
    return 'must be an https:// URL: plain http is refused in AWS, where payloads and tokens would cross networks in clear';
  }
  if (rules.allowPrivateNetworks === false) {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const kind = isIP(host);
    const isPrivate =
      host === 'localhost' ||
      host.endsWith('.localhost') ||
      (kind === 4 && PRIVATE_IPV4.some((range) => range.test(host))) ||
      (kind === 6 && PRIVATE_IPV6.some((range) => range.test(host)));
    if (isPrivate) {
      return `points at ${host}, a loopback, private or link-local address, which the bus refuses in AWS (SSRF guard): use a public https:// URL`;
    }
  }
  if (rules.allowedHosts !== undefined && !isAllowedTargetHost(parsed.hostname, rules.allowedHosts)) {
    return `names the host ${parsed.hostname}, which this stage does not allow (allowedTargetHosts: ${rules.allowedHosts.join(', ')}): use an allowed host or ask for the stage's list to be extended`;
  }
  return undefined;
}
