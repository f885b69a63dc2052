/**
 * Whether a store URL names PostgreSQL (either scheme). Its own module, with no imports: the server's entry reads it
 * (young-generation.ts) before anything else loads, and the config validates with it.
 */
export const isPostgresUrl = (value: string | undefined): boolean =>
  value !== undefined && (value.startsWith('postgres://') || value.startsWith('postgresql://'));
