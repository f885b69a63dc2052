/**
 * What URL schemes a page may link to, load from or send its visitor to: https, and plain http only where the
 * deployment allows private addresses (`allowPrivateNetwork`: tests and local setups). Never `javascript:` or `data:`.
 * A tenant's logo and redirect URL, an invitation's redirect URL and the pages' Content-Security-Policy all follow it.
 */
export interface PageUrlPolicy {
  readonly allowHttp: boolean;
}

/** The schemes `policy` allows, spelled as `URL.protocol` spells them ("https:"). */
export function pageUrlSchemes(policy: PageUrlPolicy): readonly string[] {
  return policy.allowHttp ? ['https:', 'http:'] : ['https:'];
}

/** True when `url` parses and its scheme is one `policy` allows; `URL` lowercases the scheme, so "HTTP:" is http. */
export function isPageUrl(url: string, policy: PageUrlPolicy): boolean {
  return URL.canParse(url) && pageUrlSchemes(policy).includes(new URL(url).protocol);
}
