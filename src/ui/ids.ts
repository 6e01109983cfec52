/** Every callback, block and action id the app sends and listens for, in one place. */
export const CALLBACK = {
  inviteModal: 'rendezvous_invite',
} as const;

export const ACTION = {
  joinAsAgent: 'session_join_agent',
  customerLink: 'session_customer_link',
  refresh: 'session_refresh',
  cancel: 'session_cancel',
  vendorSelect: 'invite_vendor',
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
  conversation: { block: 'conversation', action: 'conversation_select' },
} as const;

/** Thread replies carry this metadata type, so a crash-interrupted post can be found again. */
export const MILESTONE_EVENT_TYPE = 'rendezvous_milestone';
