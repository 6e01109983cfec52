import assert from 'node:assert/strict';
import type { InputBlock, SectionBlock } from '@slack/types';
import { adminGroupModal, adminGroupSection, readAdminGroupForm } from '../../src/ui/admin-group.js';
import { homeView } from '../../src/ui/home.js';
import { ACTION, ADMIN_GROUP_INPUT, CALLBACK } from '../../src/ui/ids.js';

describe('ui/admin-group', () => {
  const text = (blocks: ReturnType<typeof adminGroupSection>) => (blocks[0] as SectionBlock).text!.text;

  it('names the group in force and where it comes from, with a Change button', () => {
    assert.equal(text(adminGroupSection({ source: 'workspace', usergroupId: 'S0HELPDESK' })), "*Admin user group:* <!subteam^S0HELPDESK> (this workspace's own)");
    assert.match(text(adminGroupSection({ source: 'default', usergroupId: 'S0RDV' })), /<!subteam\^S0RDV> \(the default/);
    assert.match(text(adminGroupSection({ source: 'none' })), /none \(only Slack workspace admins and owners\)/);
    // A stored value that is no group id is never put into a mention.
    assert.doesNotMatch(text(adminGroupSection({ source: 'workspace', usergroupId: 'S0>|<!channel' })), /subteam|channel/);
    const button = (adminGroupSection({ source: 'none' })[0] as SectionBlock).accessory as { action_id: string };
    assert.equal(button.action_id, ACTION.homeAdminGroup);
  });

  it('draws the form with the workspace’s own group filled in, and reads it back trimmed', () => {
    const modal = adminGroupModal('S0HELPDESK', 'S0RDV');
    assert.equal(modal.callback_id, CALLBACK.adminGroup);
    const input = modal.blocks.find((block) => block.type === 'input') as InputBlock;
    assert.equal(input.block_id, ADMIN_GROUP_INPUT.block);
    assert.deepEqual([input.optional, (input.element as { initial_value?: string }).initial_value], [true, 'S0HELPDESK']);
    assert.match(JSON.stringify(modal.blocks[0]), /the default group \(<!subteam\^S0RDV>\)/);
    assert.equal((adminGroupModal(undefined, undefined).blocks[1] as InputBlock & { element: { initial_value?: string } }).element.initial_value, undefined);

    assert.equal(readAdminGroupForm({ [ADMIN_GROUP_INPUT.block]: { [ADMIN_GROUP_INPUT.action]: { type: 'plain_text_input', value: ' S0X1 ' } } }), 'S0X1');
    assert.equal(readAdminGroupForm({ [ADMIN_GROUP_INPUT.block]: { [ADMIN_GROUP_INPUT.action]: { type: 'plain_text_input', value: null } } }), '');
    assert.equal(readAdminGroupForm('nonsense'), undefined);
  });

  it('is in the Home tab of admins only', () => {
    const base = { userId: 'U0ADMIN', active: [], recent: [], vendors: [], catalogue: { vendors: [] } as never, adminGroup: { source: 'workspace', usergroupId: 'S0HELPDESK' } as const };
    assert.match(JSON.stringify(homeView({ ...base, isAdmin: true }).blocks), /Admin user group:\* <!subteam\^S0HELPDESK>/);
    assert.doesNotMatch(JSON.stringify(homeView({ ...base, isAdmin: false }).blocks), /Admin user group|home_admin_group/);
  });
});
