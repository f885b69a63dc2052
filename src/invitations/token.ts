import { hashSecret, newSecret } from '#common/secrets';

/** A new invitation token (256 random bits) and the hash that is all the store keeps. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = newSecret();
  return { token, tokenHash: hashSecret(token) };
}

/** The hash a presented token is looked up by. */
export const hashInvitationToken = hashSecret;

/** Tokens are 43 base64url characters; anything else cannot match and is not looked up. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** The link an invitee opens: the accept page under the public URL. */
export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/i/${token}`;
}
