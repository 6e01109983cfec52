import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { z } from 'zod';
import { ACTION, ADMIN_GROUP_INPUT, CALLBACK } from './ids.js';

/** Where a workspace's admin user group comes from, as the App Home shows it to admins. */
export interface AdminGroupLine {
  /** The group in force here: the workspace's own, the environment's default, or none. */
  source: 'workspace' | 'default' | 'none';
  usergroupId?: string;
}

/** A Slack user group id: `S` then upper-case letters and digits. */
export const USERGROUP_ID = /^S[A-Z0-9]{2,31}$/;

/** The admins' line of the App Home: which group administers Rendezvous here, and its "Change" button. */
export function adminGroupSection(line: AdminGroupLine): KnownBlock[] {
  const group = line.usergroupId && USERGROUP_ID.test(line.usergroupId) ? `<!subteam^${line.usergroupId}>` : undefined;
  const words =
    line.source === 'workspace' && group
      ? `${group} (this workspace's own)`
      : line.source === 'default' && group
        ? `${group} (the default, from Rendezvous's settings)`
        : 'none (only Slack workspace admins and owners)';
  const block: SectionBlock = {
    type: 'section',
    block_id: 'admin_group',
    text: { type: 'mrkdwn', text: `*Admin user group:* ${words}` },
    accessory: { type: 'button', action_id: ACTION.homeAdminGroup, value: 'admin_group', text: { type: 'plain_text', text: 'Change', emoji: true } },
  };
  return [block];
}

/** The form: one input for the group's id, pre-filled with the workspace's own; empty clears it. */
export function adminGroupModal(own: string | undefined, defaultGroup: string | undefined): ModalView {
  const fallback = defaultGroup ? `the default group (<!subteam^${defaultGroup}>)` : 'no group (only Slack workspace admins and owners)';
  return {
    type: 'modal',
    callback_id: CALLBACK.adminGroup,
    title: { type: 'plain_text', text: 'Admin user group' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Members of this Slack user group administer Rendezvous in this workspace, besides its Slack admins and owners: they may cancel, resend or see the customer link of any session, and change these settings. Leave it empty to use ${fallback}.`,
        },
      },
      {
        type: 'input',
        block_id: ADMIN_GROUP_INPUT.block,
        optional: true,
        label: { type: 'plain_text', text: 'User group id' },
        hint: { type: 'plain_text', text: 'Like S0123ABCD: in Slack, open the group under People → User groups, then its menu → Copy group ID.' },
        element: { type: 'plain_text_input', action_id: ADMIN_GROUP_INPUT.action, max_length: 32, ...(own ? { initial_value: own } : {}) },
      },
    ],
  };
}

const Values = z.record(z.string(), z.record(z.string(), z.unknown()));
const Input = z.object({ value: z.string().nullish() });

/** The submitted id, trimmed ('' when empty); undefined when the state is not the form's. */
export function readAdminGroupForm(values: unknown): string | undefined {
  const state = Values.safeParse(values);
  if (!state.success) return undefined;
  const input = Input.safeParse(state.data[ADMIN_GROUP_INPUT.block]?.[ADMIN_GROUP_INPUT.action]);
  return input.success ? (input.data.value ?? '').trim() : undefined;
}
