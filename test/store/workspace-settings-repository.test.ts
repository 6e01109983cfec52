import assert from 'node:assert/strict';
import { WorkspaceSettingsRepository } from '../../src/store/workspace-settings-repository.js';
import { eachDatabase } from '../helpers/databases.js';

eachDatabase('WorkspaceSettingsRepository', (ctx) => {
  it('keeps each workspace’s admin user group, replaces it on save and clears it back to null', async () => {
    const settings = new WorkspaceSettingsRepository(ctx.db());
    assert.equal(await settings.get('T0ALPHA'), undefined);

    await settings.saveAdminUsergroup({ teamId: 'T0ALPHA', enterpriseId: null, adminUsergroup: 'S0HELP', updatedBy: 'U0ADMIN', now: new Date('2026-12-02T10:00:00Z') });
    await settings.saveAdminUsergroup({ teamId: 'T0BETA', enterpriseId: 'E0GRID', adminUsergroup: 'S0BETA', updatedBy: 'U0BETA' });
    assert.deepEqual(await settings.get('T0ALPHA'), { teamId: 'T0ALPHA', adminUsergroup: 'S0HELP', updatedAt: new Date('2026-12-02T10:00:00Z'), updatedBy: 'U0ADMIN' });

    await settings.saveAdminUsergroup({ teamId: 'T0ALPHA', enterpriseId: null, adminUsergroup: 'S0OTHER', updatedBy: 'U0OWNER', now: new Date('2026-12-02T11:00:00Z') });
    assert.equal((await settings.get('T0ALPHA'))?.adminUsergroup, 'S0OTHER');
    assert.equal((await settings.get('T0ALPHA'))?.updatedBy, 'U0OWNER');

    await settings.saveAdminUsergroup({ teamId: 'T0ALPHA', enterpriseId: null, adminUsergroup: null, updatedBy: 'U0ADMIN' });
    assert.equal((await settings.get('T0ALPHA'))?.adminUsergroup, null);
    assert.equal((await settings.get('T0BETA'))?.adminUsergroup, 'S0BETA', 'the other workspace is untouched');
    assert.equal((await ctx.db().selectFrom('workspace_settings').selectAll().execute()).length, 2);
  });
});
