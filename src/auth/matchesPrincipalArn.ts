/**
 * True when an `iamPrincipals` pattern covers the caller's IAM principal ARN (API Gateway's
 * `requestContext.authorizer.iam.userArn`). `*` matches any run of characters. A role ARN
 * (`arn:aws:iam::<account>:role/<path/><name>`) also covers that role's sessions, whose ARN is
 * `arn:aws:sts::<account>:assumed-role/<name>/<session>` (the path is not part of it).
 */
export function matchesPrincipalArn(pattern: string, arn: string): boolean {
  if (globOf(pattern).test(arn)) return true;
  const role = /^arn:([^:]+):iam::([^:]+):role\/(?:.*\/)?([^/]+)$/.exec(pattern);
  return role !== null && globOf(`arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/*`).test(arn);
}

function globOf(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
