/** Every callback, block and action id the app sends and listens for, in one place. */
export const CALLBACK = {
  inviteModal: 'rendezvous_invite',
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
} as const;

/** Modal inputs: block id → action id (Slack keys view state by both). */
export const INPUT = {
  vendor: { block: 'vendor', action: ACTION.vendorSelect },
  phone: { block: 'phone', action: 'phone_input' },
  email: { block: 'email', action: 'email_input' },
  delivery: { block: 'delivery', action: 'delivery_select' },
  message: { block: 'message', action: 'message_input' },
  reference: { block: 'reference', action: 'reference_input' },
  agent: { block: 'agent', action: 'agent_input' },
  kind: { block: 'kind', action: ACTION.kindSelect },
  participants: { block: 'participants', action: 'participants_input' },
  meetingName: { block: 'meeting_name', action: 'meeting_name_input' },
  startTime: { block: 'start_time', action: 'start_time_picker' },
  duration: { block: 'duration', action: 'duration_input' },
  moderation: { block: 'moderation', action: 'moderation_checkbox' },
  blitzzSession: { block: 'blitzz_session', action: 'blitzz_session_input' },
  imbeeExpiry: { block: 'imbee_expiry', action: 'imbee_expiry_picker' },
  imbeeMaxUses: { block: 'imbee_max_uses', action: 'imbee_max_uses_input' },
  conpeekBridge: { block: 'conpeek_bridge', action: 'conpeek_bridge_input' },
  conpeekRoom: { block: 'conpeek_room', action: 'conpeek_room_input' },
  genesysSession: { block: 'genesys_session', action: 'genesys_session_input' },
  genesysTarget: { block: 'genesys_target', action: 'genesys_target_input' },
  via: { block: 'via', action: 'via_input' },
  conversation: { block: 'conversation', action: 'conversation_select' },
} as const;
