import type { InputBlock, KnownBlock, ModalView, PlainTextElement, PlainTextOption } from '@slack/types';
import { DELIVERY_LABELS } from '../domain/delivery.js';
import type { Product, ViaChannel } from '../domain/vendor-module.js';
import { CALLBACK, INPUT } from './ids.js';
import { productFieldBlock, textInput } from './product-field-inputs.js';

/** A configured vendor as the modal draws it: its label and its configured products, as declared. */
export interface ModalVendor {
  name: string;
  label: string;
  products: Product[];
  /** Values that pre-fill its products' fields (`defaultFrom`), from settings. */
  fieldDefaults?: Record<string, string | number | undefined>;
}

/** What the modal needs to know, all from settings: it opens before any I/O. */
export interface InviteModalOptions {
  /** Configured vendors, in order; the first is the default. */
  vendors: ModalVendor[];
  vendor: string;
  /** One-to-one or meeting, where the vendor has both. */
  meeting?: boolean;
  channelId?: string;
  /** The message the modal was opened from ("Invite from this message"). */
  source?: { channelId: string; ts: string };
  /** The configured channel that also pushes a link (`via:`), offered on the products that accept it. */
  via?: ViaChannel;
  /** The contact found in the source message. */
  defaults?: { phone?: string; email?: string };
}

export interface InviteModalMetadata {
  channelId?: string;
  vendor?: string;
  meeting?: boolean;
  source?: { channelId: string; ts: string };
}

const text = (value: string): PlainTextElement => ({ type: 'plain_text', text: value });
const option = (label: string, value: string): PlainTextOption => ({ text: text(label), value });

/** The product the modal shows: the meeting one when asked and offered, else the one-to-one or command one. */
export function shownProduct(vendor: ModalVendor | undefined, meeting: boolean | undefined): Product | undefined {
  const of = (shape: Product['shape']) => vendor?.products.find((product) => product.shape === shape);
  return (meeting ? of('meeting') : undefined) ?? of('invite') ?? of('command') ?? of('meeting');
}

export function inviteModal(options: InviteModalOptions): ModalView {
  const vendor = options.vendors.find((item) => item.name === options.vendor);
  const product = shownProduct(vendor, options.meeting);
  const meeting = product?.shape === 'meeting';
  const metadata: InviteModalMetadata = { channelId: options.channelId, vendor: options.vendor, meeting, ...(options.source ? { source: options.source } : {}) };
  const blocks: KnownBlock[] = [vendorBlock(options)];
  const shapes = new Set(vendor?.products.map((item) => item.shape));
  if (shapes.has('invite') && shapes.has('meeting')) blocks.push(kindBlock(meeting));
  if (vendor && product) blocks.push(...fieldsFor(options, vendor, product));
  blocks.push(conversationBlock(options));
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
  const options = vendors.map((item) => option(item.label, item.name));
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

function fieldsFor(options: InviteModalOptions, vendor: ModalVendor, product: Product): KnownBlock[] {
  const own = product.fields.map((field) => productFieldBlock(field, vendor.fieldDefaults ?? {}));
  if (product.shape === 'command') return [...own, referenceBlock()];
  const blocks: KnownBlock[] = product.shape === 'meeting' ? meetingBlocks(product) : contactBlocks(options, vendor, product);
  if (product.deliveredBy === 'vendor') blocks.push(messageBlock(product));
  blocks.push(referenceBlock(), ...own);
  if (product.acceptsVia && options.via) {
    const hint = product.shape === 'meeting' ? options.via.meetingHint : options.via.hint;
    blocks.push(textInput(INPUT.via, options.via.fieldLabel, { hint }));
  }
  if (product.shape === 'meeting' && product.roomLink === 'shared') blocks.push(slackCallBlock());
  return blocks;
}

/** The value of the ticked "Show as a Slack call" option. */
export const SLACK_CALL_VALUE = 'show_as_call';

/**
 * Offered only for meetings whose one room link everyone uses: ticked, that link reaches the
 * channel (as a Slack call), so the option says who can then join.
 */
function slackCallBlock(): InputBlock {
  return {
    type: 'input',
    block_id: INPUT.slackCall.block,
    optional: true,
    label: text('Slack call'),
    element: {
      type: 'checkboxes',
      action_id: INPUT.slackCall.action,
      options: [
        {
          text: text('Show as a Slack call in this channel'),
          description: text('Anyone in the channel can then join the meeting: its room link is the same for everyone, guests included.'),
          value: SLACK_CALL_VALUE,
        },
      ],
    },
  };
}

function contactBlocks({ defaults }: InviteModalOptions, vendor: ModalVendor, product: Product): KnownBlock[] {
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
  if (product.deliveries.length > 0) {
    blocks.push({
      type: 'input',
      block_id: INPUT.delivery.block,
      optional: true,
      label: text('Send the invitation by'),
      hint: text(`${vendor.label} sends it. Default: SMS for a phone, e-mail otherwise.`),
      element: {
        type: 'static_select',
        action_id: INPUT.delivery.action,
        options: product.deliveries.map((delivery) => option(DELIVERY_LABELS[delivery], delivery)),
      },
    });
  }
  return blocks;
}

function meetingBlocks(product: Product): KnownBlock[] {
  return [
    textInput(INPUT.participants, product.participants === 'names' ? 'Participants (names or contacts)' : 'Participants', {
      optional: false,
      multiline: true,
      hint: 'One per line or separated by commas: +33 6 12 34 56 78, jane@example.com',
    }),
    textInput(INPUT.meetingName, 'Meeting name', { maxLength: 255 }),
  ];
}

function messageBlock(product: Product): InputBlock {
  const limit = product.messageLimit;
  const hint = [limit ? `Up to ${limit} characters.` : '', product.messageHint ?? ''].filter(Boolean).join(' ');
  return textInput(INPUT.message, 'Message', { multiline: true, maxLength: limit, hint: hint || undefined });
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
