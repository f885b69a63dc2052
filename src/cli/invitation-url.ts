import { CliError } from './errors';
import { ExitCode } from './exit-codes';

/** What an invitation URL someone sent us is, and so where accepting it goes. */
export type InvitationUrl =
  /** An Aries out-of-band (RFC 0434, ?oob=) or connection (RFC 0160, ?c_i=) invitation: our own Usher answers it. */
  | { readonly kind: 'didcomm'; readonly url: string }
  /**
   * An Usher link, `<base>/i/<token>`: accepted on the Usher that issued it, where the token is the only credential.
   */
  | { readonly kind: 'link'; readonly baseUrl: string; readonly token: string };

/** Classifies an invitation URL; anything else is refused (exit 3) with what was expected. */
export function classifyInvitationUrl(raw: string): InvitationUrl {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'didcomm:')) {
    if (url.searchParams.has('oob') || url.searchParams.has('c_i')) return { kind: 'didcomm', url: raw };
    const link = /^(.*)\/i\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    // The base keeps any path prefix the issuing Usher is served under (USHER_PUBLIC_URL may have one).
    if (link && url.protocol !== 'didcomm:')
      return { kind: 'link', baseUrl: `${url.origin}${link[1]}`, token: link[2]! };
  }
  throw new CliError(
    ExitCode.refused,
    `not an invitation URL usher can accept: "${raw}"\n  expected an Usher link (https://host/i/<token>) or a DIDComm invitation (…?oob=… or …?c_i=…)`,
  );
}
