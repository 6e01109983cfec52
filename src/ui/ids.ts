import type { ProductField } from '../domain/vendor-module.js';

/** Every callback, block and action id the app sends and listens for, in one place. */
export const CALLBACK = {
  inviteModal: 'rendezvous_invite',
  /** The App Home's settings form of one vendor account (admins). */
  vendorAccount: 'vendor_account',
  /** The App Home's form of the workspace's admin user group (admins). */
  adminGroup: 'admin_group',
} as const;

/** Shortcut callback ids, as declared in manifest.yml. */
export const SHORTCUT = {
  startSession: 'start_remote_session',
  inviteFromMessage: 'invite_from_message',
} as const;

export const ACTION = {
  joinAsAgent: 'session_join_agent',
  customerLink: 'session_customer_link',
  refresh: 'session_refresh',
  cancel: 'session_cancel',
  resend: 'session_resend',
  vendorSelect: 'invite_vendor',
  kindSelect: 'invite_kind',
  homeStartSession: 'home_start_session',
  /** A vendor's "Set up" / "Change" button in the admins' Vendors section of the App Home. */
  homeVendorAccount: 'home_vendor_account',
  /** The "Change" button of the admin user group line in the admins' part of the App Home. */
  homeAdminGroup: 'home_admin_group',
  /** The link button of a session's link unfurl that opens its card. */
  unfurlOpenCard: 'unfurl_open_card',
} as const;

/** The admin user group form's one input. */
export const ADMIN_GROUP_INPUT = { block: 'admin_usergroup', action: 'value' } as const;

/** The action id of every input of the vendor account form (its block id is the setting's variable name). */
export const VENDOR_FIELD_ACTION = 'value';

/**
 * The modal's common inputs: block id → action id (Slack keys view state by both). A product's
 * own inputs are declared by its module (`Product.fields`): `productInput` gives their ids.
 */
export const INPUT = {
  vendor: { block: 'vendor', action: ACTION.vendorSelect },
  phone: { block: 'phone', action: 'phone_input' },
  email: { block: 'email', action: 'email_input' },
  delivery: { block: 'delivery', action: 'delivery_select' },
  message: { block: 'message', action: 'message_input' },
  reference: { block: 'reference', action: 'reference_input' },
  kind: { block: 'kind', action: ACTION.kindSelect },
  participants: { block: 'participants', action: 'participants_input' },
  meetingName: { block: 'meeting_name', action: 'meeting_name_input' },
  via: { block: 'via', action: 'via_input' },
  slackCall: { block: 'slack_call', action: 'slack_call_checkbox' },
  conversation: { block: 'conversation', action: 'conversation_select' },
} as const;

export type InputId = { block: string; action: string };

/** A product field's ids: its declared block id, and its action id (default `<blockId>_input`). */
export function productInput(field: ProductField): InputId {
  return { block: field.blockId, action: field.actionId ?? `${field.blockId}_input` };
}
