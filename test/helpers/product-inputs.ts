/**
 * The ids of the products' own modal inputs as Slack has known them since before the vendor
 * modules declared them: tests use these literals, so a module renaming one fails loudly.
 */
export const PRODUCT_INPUT = {
  agent: { block: 'agent', action: 'agent_input' },
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
} as const;
