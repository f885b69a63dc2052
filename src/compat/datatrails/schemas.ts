/**
 * DataTrails Invites API v1 wire formats (datatrails-invitesv1.swagger.json): snake_case, the
 * swagger's own length limits, and its names, prefixed so they cannot clash with Usher's.
 */
import { z } from '@hono/zod-openapi';
import { isAddrSpec } from './address';

/** Google AIP-158 page sizes, which DataTrails follows: 0 or absent means the default. */
export const PAGE_SIZE_DEFAULT = 50;
/** The core's largest page; bigger requests are served this many, as AIP-158 asks. */
export const PAGE_SIZE_MAX = 200;
const INT32_MAX = 2_147_483_647;

/** ListInvitesRequestOrderBy: DEFAULT is newest first, DISPLAY_NAME is by email address. */
export const ORDER_BY = ['DEFAULT', 'DISPLAY_NAME'] as const;
export type OrderBy = (typeof ORDER_BY)[number];

/** v1CreateInviteRequest. */
export const CreateInviteSchema = z
  .strictObject({
    message: z.string().max(256).describe('Text to be inserted into the email. Required by the swagger; may be empty.'),
    email: z
      .string()
      .max(128)
      .refine(isAddrSpec, 'an email address (RFC 5322 addr-spec), such as bob@job')
      .describe('Email address of the invitee: any RFC 5322 addr-spec, dotless domains (bob@job) included.'),
  })
  .openapi('DataTrailsCreateInviteRequest');

export type CreateInviteInput = z.infer<typeof CreateInviteSchema>;

/** v1Invite. */
export const InviteSchema = z
  .object({
    identity: z.string().describe('invites/<uuid>'),
    message: z.string(),
    email: z.string(),
    expiry_time: z.string().describe('RFC 3339 in UTC, whole seconds, e.g. 2022-06-17T11:30:43Z.'),
  })
  .openapi('DataTrailsInvite');

export type Invite = z.infer<typeof InviteSchema>;

/** v1ListInvitesResponse. */
export const ListInvitesResponseSchema = z
  .object({
    invites: z.array(InviteSchema),
    next_page_token: z.string().describe('Pass back as page_token for the next page; empty on the last page.'),
  })
  .openapi('DataTrailsListInvitesResponse');

/** v1Caps. */
export const CapsSchema = z
  .object({ caps: z.array(z.object({ resource_type: z.string(), resource_remaining: z.string() })) })
  .openapi('DataTrailsCaps');

/** Query of Invites_ListInvites. */
export const ListInvitesQuerySchema = z.strictObject({
  order_by: z.enum(ORDER_BY).optional().describe('DEFAULT: newest first. DISPLAY_NAME: by email address.'),
  page_size: z.coerce
    .number()
    .int()
    .min(0)
    .max(INT32_MAX)
    .optional()
    .describe(
      `Entries per page: ${PAGE_SIZE_DEFAULT} when 0 or absent, at most ${PAGE_SIZE_MAX} (larger asks are served ${PAGE_SIZE_MAX}).`,
    ),
  page_token: z
    .string()
    .max(1024)
    .optional()
    .describe('next_page_token of the previous page; it carries the order, size and filter.'),
  email: z.string().max(254).optional().describe('Only the invite to this address, case-insensitive.'),
});

export type ListInvitesQuery = z.infer<typeof ListInvitesQuerySchema>;

/** The `{uuid}` of `invites/{uuid}`. */
export const UuidParam = z.object({
  uuid: z
    .string()
    .max(64)
    .openapi({ param: { name: 'uuid', in: 'path' } }),
});
