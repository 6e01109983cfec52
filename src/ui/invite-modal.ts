import type { InputBlock, KnownBlock, ModalView, PlainTextElement, PlainTextOption } from '@slack/types';
import type { SessionKind } from '../domain/session.js';
import { kindFor } from '../domain/vendor-capabilities.js';
import { VENDOR_LABELS, type Delivery, type VendorName } from '../domain/vendors.js';
import { CALLBACK, INPUT } from './ids.js';

/** What the modal needs to know, all from settings: it opens before any I/O. */
export interface InviteModalOptions {
  /** Configured vendors, in order; the first is the default. */
  vendors: VendorName[];
  vendor: VendorName;
  /** One-to-one or meeting, where the vendor has both. */
  meeting?: boolean;
  /** Vendors with a meeting product configured. */
  meetingVendors?: VendorName[];
  channelId?: string;
  /** The message the modal was opened from ("Invite from this message"). */
  source?: { channelId: string; ts: string };
  /** Offer "Send through Genesys SMS session" for link-only vendors. */
  genesysDelivery?: boolean;
  defaults?: {
    agent?: string;
    phone?: string;
    email?: string;
    blitzzSessionId?: string;
    conpeekBridgeId?: number;
    conpeekRoomId?: number;
  };
}

export interface InviteModalMetadata {
  channelId?: string;
  vendor?: VendorName;
  meeting?: boolean;
  source?: { channelId: string; ts: string };
}

const DELIVERY_LABELS: Record<Delivery, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'E-mail' };

const text = (value: string): PlainTextElement => ({ type: 'plain_text', text: value });
const option = (label: string, value: string): PlainTextOption => ({ text: text(label), value });

type InputId = { block: string; action: string };

function textInput(id: InputId, label: string, options: { optional?: boolean; hint?: string; initial?: string; placeholder?: string; multiline?: boolean; maxLength?: number } = {}): InputBlock {
  return {
    type: 'input',
    block_id: id.block,
    optional: options.optional ?? true,
    label: text(label),
    ...(options.hint ? { hint: text(options.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: id.action,
      ...(options.multiline ? { multiline: true } : {}),
      ...(options.maxLength ? { max_length: options.maxLength } : {}),
      ...(options.placeholder ? { placeholder: text(options.placeholder) } : {}),
      ...(options.initial ? { initial_value: options.initial } : {}),
    },
  };
}

export function inviteModal(options: InviteModalOptions): ModalView {
  const meeting = Boolean(options.meeting && kindFor(options.vendor, true));
  const kind = kindFor(options.vendor, meeting)?.kind;
  const metadata: InviteModalMetadata = { channelId: options.channelId, vendor: options.vendor, meeting, ...(options.source ? { source: options.source } : {}) };
  const blocks: KnownBlock[] = [vendorBlock(options)];
  if (options.meetingVendors?.includes(options.vendor) && kindFor(options.vendor, false)) blocks.push(kindBlock(meeting));
  blocks.push(...fieldsFor(options, kind), conversationBlock(options));
  return {
    type: 'modal',
    callback_id: CALLBACK.inviteModal,
    title: text('Start a remote session'),
    submit: text('Invite'),
    close: text('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

function vendorBlock({ vendors, vendor }: InviteModalOptions): InputBlock {
  const options = vendors.map((name) => option(VENDOR_LABELS[name], name));
  return {
    type: 'input',
    block_id: INPUT.vendor.block,
    dispatch_action: true,
    label: text('Vendor'),
    element: { type: 'static_select', action_id: INPUT.vendor.action, options, initial_option: options.find((item) => item.value === vendor) },
  };
}

function kindBlock(meeting: boolean): InputBlock {
  const options = [option('One-to-one', 'one_to_one'), option('Meeting (several participants)', 'meeting')];
  return {
    type: 'input',
    block_id: INPUT.kind.block,
    dispatch_action: true,
    label: text('Kind'),
    element: { type: 'static_select', action_id: INPUT.kind.action, options, initial_option: options[meeting ? 1 : 0] },
  };
}

function fieldsFor(options: InviteModalOptions, kind: SessionKind | undefined): KnownBlock[] {
  switch (kind) {
    case 'sms_invite':
      return genesysFields();
    case 'conference':
    case 'room':
      return meetingFields(options, kind);
    default:
      return oneToOneFields(options);
  }
}

function oneToOneFields(options: InviteModalOptions): KnownBlock[] {
  const { vendor, defaults } = options;
  const capability = kindFor(vendor, false)!;
  const blocks: KnownBlock[] = [
    textInput(INPUT.phone, 'Invitee phone', {
      hint: 'International format, e.g. +33 6 12 34 56 78. Phone and/or e-mail.',
      placeholder: '+33 6 12 34 56 78',
      initial: defaults?.phone,
    }),
    {
      type: 'input',
      block_id: INPUT.email.block,
      optional: true,
      label: text('Invitee e-mail'),
      element: {
        type: 'email_text_input',
        action_id: INPUT.email.action,
        placeholder: text('name@example.com'),
        ...(defaults?.email ? { initial_value: defaults.email } : {}),
      },
    },
  ];
  if (capability.deliveries.length > 0) {
    blocks.push({
      type: 'input',
      block_id: INPUT.delivery.block,
      optional: true,
      label: text('Send the invitation by'),
      hint: text(`${VENDOR_LABELS[vendor]} sends it. Default: SMS for a phone, e-mail otherwise.`),
      element: {
        type: 'static_select',
        action_id: INPUT.delivery.action,
        options: capability.deliveries.map((delivery) => option(DELIVERY_LABELS[delivery], delivery)),
      },
    });
  }
  if (capability.deliveredBy === 'vendor') {
    const limit = capability.messageLimit;
    const hints = [limit ? `Up to ${limit} characters.` : '', vendor === 'blitzz' ? 'Not used for WhatsApp: Blitzz fixes that text.' : '']
      .filter(Boolean)
      .join(' ');
    blocks.push(textInput(INPUT.message, 'Message', { multiline: true, maxLength: limit, hint: hints || undefined }));
  }
  blocks.push(referenceBlock());
  if (vendor === 'apizee') {
    blocks.push(textInput(INPUT.agent, 'Apizee agent login', { optional: false, initial: defaults?.agent }));
  }
  if (vendor === 'blitzz') {
    blocks.push(textInput(INPUT.blitzzSession, 'Blitzz session code', { optional: false, initial: defaults?.blitzzSessionId, hint: 'The 9-digit ShowMe session code.' }));
  }
  if (vendor === 'imbee') {
    blocks.push(
      { type: 'input', block_id: INPUT.imbeeExpiry.block, optional: true, label: text('Link valid until'), element: { type: 'datepicker', action_id: INPUT.imbeeExpiry.action } },
      {
        type: 'input',
        block_id: INPUT.imbeeMaxUses.block,
        optional: true,
        label: text('Maximum uses of the link'),
        element: { type: 'number_input', action_id: INPUT.imbeeMaxUses.action, is_decimal_allowed: false, min_value: '1', max_value: '1000' },
      },
    );
  }
  if (capability.deliveredBy === 'rendezvous' || vendor === 'imbee') {
    if (options.genesysDelivery) {
      blocks.push(textInput(INPUT.via, 'Send through Genesys SMS session', { hint: "The customer's Genesys SMS session id: the link is pushed there (SendUrl)." }));
    }
  }
  return blocks;
}

function meetingFields(options: InviteModalOptions, kind: 'conference' | 'room'): KnownBlock[] {
  const { defaults } = options;
  const blocks: KnownBlock[] = [
    textInput(INPUT.participants, kind === 'conference' ? 'Participants' : 'Participants (names or contacts)', {
      optional: false,
      multiline: true,
      hint: 'One per line or separated by commas: +33 6 12 34 56 78, jane@example.com',
    }),
    textInput(INPUT.meetingName, 'Meeting name', { maxLength: 255 }),
  ];
  if (kind === 'conference') {
    blocks.push(
      textInput(INPUT.message, 'Message', { multiline: true, maxLength: 300, hint: 'Up to 300 characters.' }),
      referenceBlock(),
      { type: 'input', block_id: INPUT.startTime.block, optional: true, label: text('Start time'), element: { type: 'datetimepicker', action_id: INPUT.startTime.action } },
      {
        type: 'input',
        block_id: INPUT.duration.block,
        optional: true,
        label: text('Duration (minutes)'),
        element: { type: 'number_input', action_id: INPUT.duration.action, is_decimal_allowed: false, min_value: '1', max_value: '1440' },
      },
      {
        type: 'input',
        block_id: INPUT.moderation.block,
        optional: true,
        label: text('Waiting room'),
        element: { type: 'checkboxes', action_id: INPUT.moderation.action, options: [option('Participants wait for the moderator', 'on')] },
      },
      textInput(INPUT.agent, 'Moderator (Apizee login)', { initial: defaults?.agent }),
    );
    if (options.genesysDelivery) {
      blocks.push(textInput(INPUT.via, 'Send through Genesys SMS session', { hint: "A customer's Genesys SMS session id: the meeting link is pushed there (SendUrl)." }));
    }
  } else {
    blocks.push(
      referenceBlock(),
      textInput(INPUT.conpeekBridge, 'Conpeek bridge id', { optional: false, initial: defaults?.conpeekBridgeId?.toString() }),
      textInput(INPUT.conpeekRoom, 'Conpeek room id', { optional: false, initial: defaults?.conpeekRoomId?.toString() }),
    );
  }
  return blocks;
}

function genesysFields(): KnownBlock[] {
  return [
    textInput(INPUT.genesysSession, "Customer's SMS session id", { optional: false, placeholder: '0000Na9B26EF006E' }),
    textInput(INPUT.genesysTarget, 'Colleague or queue to bring in', {
      optional: false,
      hint: 'The agent or queue URI in Genesys, e.g. http://genesys.example/api/v2/users/…',
    }),
    referenceBlock(),
  ];
}

function referenceBlock(): InputBlock {
  return textInput(INPUT.reference, 'Reference', { maxLength: 64, hint: 'Case or ticket number. Left empty, Rendezvous makes one (RDV-…).' });
}

function conversationBlock({ channelId }: InviteModalOptions): InputBlock {
  return {
    type: 'input',
    block_id: INPUT.conversation.block,
    label: text('Post the session card in'),
    element: {
      type: 'conversations_select',
      action_id: INPUT.conversation.action,
      // Lets Rendezvous answer the starter ephemerally in that conversation (the SSO link).
      response_url_enabled: true,
      default_to_current_conversation: true,
      ...(channelId ? { initial_conversation: channelId } : {}),
      filter: { include: ['public', 'private', 'mpim', 'im'], exclude_bot_users: true },
    },
  };
}
