import { AppError, defineErrors, errorFactory } from '#common/errors';
import { invitationErrors } from '#invitations';

/** Refusals of the DataTrails surface itself; everything else is the core's, with its codes. */
export const dataTrailsErrors = defineErrors({
  invalid_page_token: { status: 400, title: 'The page_token is not valid for this request' },
});

/** Builds a refusal of this surface: `dataTrailsError('invalid_page_token', detail, field)`. */
export const dataTrailsError = errorFactory(dataTrailsErrors);

const invitationError = errorFactory(invitationErrors);

/** The 404 for anything that is not a pending DataTrails invite of this tenant, with the core's code. */
export function inviteNotFound(uuid: string): AppError {
  return invitationError('invitation_not_found', `no pending invite ${uuid} in this tenant`, 'path.uuid');
}

/** Core field names and what this surface calls them, so `field` points into the request as sent. */
const FIELDS: Readonly<Record<string, string>> = {
  'body.recipient.email': 'body.email',
  'path.id': 'path.uuid',
};

/** Rethrows a core refusal with its field renamed for this surface; other errors pass unchanged. */
export function inSurfaceTerms(error: unknown): never {
  if (error instanceof AppError && error.field && FIELDS[error.field]) {
    throw new AppError(error.code, error.status, error.title, error.message, FIELDS[error.field], error.extra);
  }
  throw error;
}
