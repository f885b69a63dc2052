import { describe, expect, it } from 'vitest';
import { genericPlanOf, statementsSent } from '#support/pg-statements';
import { engines } from '#support/stores';
import { useTestUsher } from '#support/usher';
import { findSeat } from './memberships';

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

postgresOnly('the seat a multi-use invitation gave [postgres]', () => {
  const usher = useTestUsher('postgres');

  it('is read by the unique key’s index, even in a generic plan made while memberships is small', async () => {
    const seat = { tenantId: usher.tenant.tenant.id, targetKey: 'tenant', memberKey: 'subject:ann', invitationId: 'x' };
    const sent = await statementsSent(() => findSeat(usher.store.db, seat));
    expect(sent).toHaveLength(1);
    // Every accept of a shareable link asks this: a plan over the tenant's index reads every membership of the tenant.
    const plan = await genericPlanOf(usher.store.db, sent[0]!);
    expect(plan).toMatch(/Index Scan using memberships_member on memberships/);
    expect(plan).not.toMatch(/memberships_tenant_created/);
  });
});
