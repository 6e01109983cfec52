import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { VENDOR_RULES } from '../domain/invite-request.js';
import { VENDOR_LABELS, type ContactVendor, type Delivery } from '../domain/vendors.js';
import { CALLBACK, INPUT } from './ids.js';

/** What the modal needs to know, all from settings: it opens before any I/O. */
export interface InviteModalOptions {
  vendors: ContactVendor[];
  vendor: ContactVendor;
  channelId?: string;
  defaults?: { agent?: string; phone?: string; email?: string };
}

const DELIVERY_LABELS: Record<Delivery, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'E-mail' };

export interface InviteModalMetadata {
  channelId?: string;
}

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text }, value });

export function inviteModal(options: InviteModalOptions): ModalView {
  const metadata: InviteModalMetadata = { channelId: options.channelId };
  return {
    type: 'modal',
    callback_id: CALLBACK.inviteModal,
    title: { type: 'plain_text', text: 'Start a remote session' },
    submit: { type: 'plain_text', text: 'Invite' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: [vendorBlock(options), ...contactBlocks(options), ...vendorExtras(options), conversationBlock(options)],
  };
}

function vendorBlock({ vendors, vendor }: InviteModalOptions): InputBlock {
  const options = vendors.map((name) => option(VENDOR_LABELS[name], name));
  return {
    type: 'input',
    block_id: INPUT.vendor.block,
    dispatch_action: true,
    label: { type: 'plain_text', text: 'Vendor' },
    element: {
      type: 'static_select',
      action_id: INPUT.vendor.action,
      options,
      initial_option: options.find((item) => item.value === vendor),
    },
  };
}

function contactBlocks({ vendor, defaults }: InviteModalOptions): KnownBlock[] {
  const deliveries = VENDOR_RULES[vendor].deliveries;
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: INPUT.phone.block,
      optional: true,
      label: { type: 'plain_text', text: 'Invitee phone' },
      hint: { type: 'plain_text', text: 'International format, e.g. +33 6 12 34 56 78. Phone and/or e-mail.' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT.phone.action,
        placeholder: { type: 'plain_text', text: '+33 6 12 34 56 78' },
        ...(defaults?.phone ? { initial_value: defaults.phone } : {}),
      },
    },
    {
      type: 'input',
      block_id: INPUT.email.block,
      optional: true,
      label: { type: 'plain_text', text: 'Invitee e-mail' },
      element: {
        type: 'email_text_input',
        action_id: INPUT.email.action,
        placeholder: { type: 'plain_text', text: 'name@example.com' },
        ...(defaults?.email ? { initial_value: defaults.email } : {}),
      },
    },
  ];
  if (deliveries.length > 0) {
    blocks.push({
      type: 'input',
      block_id: INPUT.delivery.block,
      optional: true,
      label: { type: 'plain_text', text: 'Send the invitation by' },
      hint: { type: 'plain_text', text: `${VENDOR_LABELS[vendor]} sends it. Default: SMS for a phone, e-mail otherwise.` },
      element: {
        type: 'static_select',
        action_id: INPUT.delivery.action,
        options: deliveries.map((delivery) => option(DELIVERY_LABELS[delivery], delivery)),
      },
    });
  }
  const limit = VENDOR_RULES[vendor].messageLimit;
  blocks.push(
    {
      type: 'input',
      block_id: INPUT.message.block,
      optional: true,
      label: { type: 'plain_text', text: 'Message' },
      ...(limit ? { hint: { type: 'plain_text', text: `Up to ${limit} characters.` } } : {}),
      element: { type: 'plain_text_input', action_id: INPUT.message.action, multiline: true, ...(limit ? { max_length: limit } : {}) },
    },
    {
      type: 'input',
      block_id: INPUT.reference.block,
      optional: true,
      label: { type: 'plain_text', text: 'Reference' },
      hint: { type: 'plain_text', text: 'Case or ticket number. Left empty, Rendezvous makes one (RDV-…).' },
      element: { type: 'plain_text_input', action_id: INPUT.reference.action, max_length: 64 },
    },
  );
  return blocks;
}

function vendorExtras({ vendor, defaults }: InviteModalOptions): KnownBlock[] {
  if (vendor !== 'apizee') return [];
  return [
    {
      type: 'input',
      block_id: INPUT.agent.block,
      label: { type: 'plain_text', text: 'Apizee agent login' },
      element: {
        type: 'plain_text_input',
        action_id: INPUT.agent.action,
        ...(defaults?.agent ? { initial_value: defaults.agent } : {}),
      },
    },
  ];
}

function conversationBlock({ channelId }: InviteModalOptions): InputBlock {
  return {
    type: 'input',
    block_id: INPUT.conversation.block,
    label: { type: 'plain_text', text: 'Post the session card in' },
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
