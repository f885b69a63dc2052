import { expect, it } from 'vitest';
import { migrateToLatest, openStore } from '#db';
import { createScratchDatabase, describeEachStore } from '#support/stores';
import { bootstrapFirstTenant } from './bootstrap';

describeEachStore('the first start', (engine) => {
  it('names the first tenant and its default identity from USHER_TENANT_NAME\'s value, so mails do not say "Default"', async () => {
    const scratch = await createScratchDatabase(engine);
    const store = openStore(scratch.url);
    try {
      await migrateToLatest(store.db);
      const created = await bootstrapFirstTenant(store.db, undefined, new Date(), 'Apollo Labs');
      expect(created?.tenant.name).toBe('Apollo Labs');
      expect(created?.identity).toMatchObject({ displayName: 'Apollo Labs', isDefault: true });
    } finally {
      await store.close();
      await scratch.drop();
    }
  });
});
