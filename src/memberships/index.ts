/** Memberships: what accepting an invitation produces. */
export {
  findSeat,
  getMembership,
  grantMembership,
  heldSeat,
  isMembershipRace,
  listMemberships,
  MEMBERSHIP_COLUMNS,
  seekMembership,
  membershipErrors,
  type Membership,
  type MembershipGrant,
} from './memberships';
export { unlinkContactFromMemberships } from './memberships';
export { createMembershipRoutes } from './routes';
export { MembershipSchema } from './schemas';
