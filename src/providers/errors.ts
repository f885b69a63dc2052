import { defineErrors, errorFactory } from '#common/errors';

/** Every refusal of the providers capability, by stable code. */
export const providerErrors = defineErrors({
  provider_account_not_found: { status: 404, title: 'No such provider account' },
  provider_recipient_required: { status: 400, title: 'A provider invitation needs recipient.provider' },
  provider_account_required: {
    status: 400,
    title: 'Say which provider account sends it: recipient.provider.accountId',
  },
  provider_mismatch: { status: 400, title: 'The recipient is on another provider than the sending account' },
  provider_user_not_found: { status: 404, title: 'No such user on the provider' },
  provider_self_invite: { status: 422, title: 'An identity cannot invite itself' },
  provider_already_invited: {
    status: 409,
    title: 'This person already has a pending invitation through this provider',
  },
  note_too_long: { status: 400, title: 'The note is longer than the provider allows' },
  notes_not_allowed: { status: 400, title: 'This provider account may not send notes' },
  provider_unavailable: { status: 502, title: 'The provider did not answer as expected' },
  provider_address_refused: {
    status: 422,
    title: "The account's DSN is an address Usher may not reach (private networks are not allowed)",
  },
});

export type ProviderErrorCode = keyof typeof providerErrors;

export const providerError = errorFactory(providerErrors);

/** What a refused note says besides the code: the provider's own error type (Unipile's) and the limit. */
export function noteTooLong(length: number, limit: number, field: string) {
  return providerError(
    'note_too_long',
    `the note has ${length} characters; this account's provider takes at most ${limit}`,
    field,
    {
      providerType: 'errors/too_many_characters',
      limit,
    },
  );
}
