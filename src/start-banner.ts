import type { CreatedTenant } from '#tenants';

/** What the banner says about this start. */
export interface BannerFacts {
  readonly version: string;
  readonly publicUrl: string;
  /** "SQLite ./data/usher.db" or "PostgreSQL postgres://…" with the password hidden. */
  readonly storeName: string;
  readonly smtpHost: string | undefined;
  /** The tenant made on this start, when the store was empty. */
  readonly created: CreatedTenant | null;
  readonly bootstrapKeyFromEnvironment: boolean;
  /** The link secret's file when this start created it: links cannot be shown again without it. */
  readonly createdLinkSecretFile: string | null;
}

/**
 * The lines a person reads when Usher starts: where it listens, the admin key on a first start, where to go
 * next. Written to stderr, apart from the JSON log on stdout.
 */
export function startBanner(facts: BannerFacts): string {
  const { publicUrl, created } = facts;
  const lines = [`Usher ${facts.version} listening on ${publicUrl} (${facts.storeName})`];
  if (created) {
    lines.push(
      '',
      `First start: created tenant "${created.tenant.name}" with default identity ${created.identity.did}`,
    );
    lines.push(
      facts.bootstrapKeyFromEnvironment
        ? '  Admin API key: the value of USHER_BOOTSTRAP_API_KEY'
        : `  Admin API key (shown once, only its hash is stored): ${created.apiKey.key}`,
    );
  } else if (facts.bootstrapKeyFromEnvironment) {
    // The variable only names the first tenant's key; silently ignoring it left people with a 401 and no clue.
    lines.push(
      '',
      `USHER_BOOTSTRAP_API_KEY was ignored: ${facts.storeName} already has a tenant, and the variable only sets the key of`,
      '  the first one. Use a key you have, or make one on this store: `npx usher keys create <name> --local`.',
    );
  }
  lines.push(`  API reference: ${publicUrl}/docs`);
  lines.push(`  OpenAPI:       ${publicUrl}/openapi.json`);
  lines.push(`  Console:       ${publicUrl}/console (sign in with an API key)`);
  lines.push(`  DIDComm:       ${publicUrl}/didcomm (out-of-band invitations, DID Exchange, Connections 1.0)`);
  lines.push(`  ActivityPub:   identities are actors at ${publicUrl}/ap/users/<handle>, found by WebFinger`);
  lines.push(
    facts.smtpHost
      ? `  Email:         over SMTP (${facts.smtpHost})`
      : `  Email:         no SMTP server configured; messages are kept in the local mailbox: GET ${publicUrl}/v1/mailbox`,
  );
  if (facts.createdLinkSecretFile) {
    lines.push(
      `  Link secret:   created ${facts.createdLinkSecretFile}; back it up with the database (links are derived from it)`,
    );
  }
  if (created && !facts.bootstrapKeyFromEnvironment) {
    lines.push(`  Try:           curl -H "Authorization: Bearer ${created.apiKey.key}" ${publicUrl}/v1/invitations`);
  }
  return `${lines.join('\n')}\n`;
}
