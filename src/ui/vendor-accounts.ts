import type { ContextBlock, InputBlock, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { z } from 'zod';
import type { SettingField } from '../domain/vendor-module.js';
import { ACTION, CALLBACK, VENDOR_FIELD_ACTION } from './ids.js';
import { escapeMrkdwn, slackDate, truncate } from './mrkdwn.js';

/** Where a workspace's account with one vendor stands, as the App Home shows it to admins. */
export interface VendorAccountLine {
  vendor: string;
  label: string;
  /** Whose account is in force here: the workspace's own, the environment's default, or none. */
  source: 'workspace' | 'environment' | 'none';
  /** The workspace's own: who saved it and when. */
  savedBy?: string;
  savedAt?: Date;
  /** Its last check: `ok` null with no detail while it runs; null with a detail when it was not checked. */
  check?: { at: Date; ok: boolean | null; detail: string | null } | null;
  /** Saved, but its values no longer make settings (a variable's name and the reason). */
  unusable?: string;
}

/** What the settings modal shows: the fields, and what is saved (never a secret's value). */
export interface VendorFormInput {
  vendor: string;
  label: string;
  fields: readonly SettingField[];
  /** Saved values of the fields that are not secret, to pre-fill. */
  saved: Record<string, string>;
  /** The secret fields that have a saved value: their inputs stay empty and say so. */
  savedSecrets: readonly string[];
  /** Whether the workspace uses the environment's account today (no account of its own). */
  usingDefault: boolean;
}

/** What an admin reads once the save is done and the check has run. */
export type CheckVerdict =
  | { kind: 'ok'; call: string }
  | { kind: 'failed'; call: string; reason: string }
  | { kind: 'unchecked' }
  | { kind: 'spaced'; lastCheckedAt: Date; everyMinutes: number; why: string }
  | { kind: 'not_saved'; reason: string };

const MAX_TITLE = 24;
const MAX_INPUT = 2000;
const MAX_PLACEHOLDER = 150;
const MAX_SECTION = 3000;

/** The admins' "Vendors" section of the App Home: one line and one button per vendor. */
export function vendorAccountsSection(lines: readonly VendorAccountLine[]): KnownBlock[] {
  return [
    section('*Vendors* (only admins see this)'),
    ...lines.map(
      (line): SectionBlock => ({
        type: 'section',
        block_id: `vendor_account_${line.vendor}`,
        text: { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(line.label)}* — ${stateWords(line)}`, MAX_SECTION) },
        accessory: {
          type: 'button',
          action_id: ACTION.homeVendorAccount,
          value: line.vendor,
          text: { type: 'plain_text', text: line.source === 'workspace' ? 'Change' : 'Set up', emoji: true },
        },
      }),
    ),
    context('Each workspace may use its own vendor accounts. Credentials are stored encrypted; secrets are never shown again, not even to admins.'),
  ];
}

function stateWords(line: VendorAccountLine): string {
  if (line.source === 'none') return '◻️ not set up in this workspace';
  if (line.source === 'environment') return "the default account (Rendezvous's own settings). Set up this workspace's own to use it instead.";
  const saved = `this workspace's own account${line.savedBy && /^[UW][A-Z0-9]+$/.test(line.savedBy) ? `, saved by <@${line.savedBy}>` : ''}${line.savedAt ? ` ${slackDate(line.savedAt)}` : ''}`;
  if (line.unusable) return `${saved}. ⚠️ It cannot be used: ${escapeMrkdwn(truncate(line.unusable, 200))}. Save it again.`;
  return `${saved}. ${checkWords(line.check)}`;
}

function checkWords(check: VendorAccountLine['check']): string {
  if (!check) return '◻️ Not checked yet.';
  const detail = check.detail ? escapeMrkdwn(truncate(check.detail, 300)) : '';
  if (check.ok === true) return `✅ Checked ${slackDate(check.at)}.`;
  if (check.ok === false) return `⚠️ Its check failed ${slackDate(check.at)}: ${detail}`;
  return detail ? `ℹ️ ${detail}` : `⏳ Being checked (${slackDate(check.at)}).`;
}

/**
 * The settings modal of one vendor, drawn from its module's setting fields (labels, help, which
 * are secret). A secret's input never shows its value: once saved, it stays empty and says so.
 */
export function vendorAccountModal(input: VendorFormInput): ModalView {
  const saved = new Set(input.savedSecrets);
  const intro = input.usingDefault
    ? `This workspace uses the default ${escapeMrkdwn(input.label)} account today. Saved here, these settings are this workspace's own, and only its sessions use them.`
    : `This workspace's own ${escapeMrkdwn(input.label)} account. Its sessions use it; other workspaces never do.`;
  return {
    type: 'modal',
    callback_id: CALLBACK.vendorAccount,
    private_metadata: JSON.stringify({ vendor: input.vendor }),
    title: { type: 'plain_text', text: truncate(`${input.label} account`, MAX_TITLE) },
    submit: { type: 'plain_text', text: 'Save and check' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(intro),
      ...input.fields.map((field) => fieldInput(field, field.secret ? undefined : input.saved[field.env], field.secret && saved.has(field.env))),
      context('Stored encrypted. Secrets are never shown again once saved: leave a saved one empty to keep it.'),
    ],
  };
}

function fieldInput(field: SettingField, value: string | undefined, secretSaved: boolean): InputBlock {
  const hint = [field.help, secretSaved ? 'Saved; leave empty to keep it.' : ''].filter(Boolean).join(' ');
  return {
    type: 'input',
    block_id: field.env,
    // Required ones are checked by the module's own rules on submit; a saved secret may stay empty.
    optional: true,
    label: { type: 'plain_text', text: truncate(field.label, MAX_INPUT) },
    ...(hint ? { hint: { type: 'plain_text', text: truncate(hint, MAX_INPUT) } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: VENDOR_FIELD_ACTION,
      max_length: MAX_INPUT,
      ...(value ? { initial_value: truncate(value, MAX_INPUT) } : {}),
      ...(secretSaved ? { placeholder: { type: 'plain_text', text: truncate('saved; leave empty to keep', MAX_PLACEHOLDER) } } : {}),
    },
  };
}

/** Shown at once on submit (the ack), while the save and the check run. */
export function vendorAccountSavingModal(label: string): ModalView {
  return resultModal(label, `⏳ Saving this workspace's ${escapeMrkdwn(label)} account and checking it…`);
}

/** The outcome, put in place of the modal with `views.update`. */
export function vendorAccountResultModal(label: string, verdict: CheckVerdict): ModalView {
  const name = escapeMrkdwn(label);
  switch (verdict.kind) {
    case 'ok':
      return resultModal(label, `✅ Saved and checked: ${name} accepted the account (asked for ${escapeMrkdwn(verdict.call)}). This workspace's ${name} sessions now use it.`);
    case 'failed':
      return resultModal(
        label,
        `⚠️ Saved, but the check failed (asked for ${escapeMrkdwn(verdict.call)}): ${escapeMrkdwn(truncate(verdict.reason, 1500))} This workspace's ${name} sessions will fail until the account is fixed: change it in the App Home.`,
      );
    case 'unchecked':
      return resultModal(label, `ℹ️ Saved without a check: ${name} documents no call that does not create something, so Rendezvous did not try the account. The first session will show whether it works.`);
    case 'spaced':
      return resultModal(
        label,
        `⏳ Saved, not checked: this ${name} account was checked ${slackDate(verdict.lastCheckedAt)}, and Rendezvous checks it at most once every ${verdict.everyMinutes} minutes (${escapeMrkdwn(verdict.why)}). The first session will show whether it works.`,
      );
    case 'not_saved':
      return resultModal(label, `⚠️ Not saved: ${escapeMrkdwn(verdict.reason)} Nothing changed; please try again.`);
  }
}

function resultModal(label: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.vendorAccount,
    title: { type: 'plain_text', text: truncate(`${label} account`, MAX_TITLE) },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [section(truncate(text, MAX_SECTION)), context('Secrets are never shown again. The App Home shows how each account is doing.')],
  };
}

const Metadata = z.object({ vendor: z.string() });
const FieldState = z.object({ value: z.string().nullish() });
const FormValues = z.record(z.string(), z.record(z.string(), z.unknown()));

/**
 * The submitted form: which vendor (from `private_metadata`) and each field's trimmed value,
 * keyed by its variable name; empty inputs are left out. Only the given fields are read.
 */
export function readVendorAccountForm(
  values: unknown,
  privateMetadata: string | undefined,
  fields: (vendor: string) => readonly SettingField[] | undefined,
): { vendor: string; submitted: Record<string, string> } | undefined {
  let metadata: z.infer<typeof Metadata>;
  try {
    metadata = Metadata.parse(JSON.parse(privateMetadata ?? ''));
  } catch {
    return undefined;
  }
  const declared = fields(metadata.vendor);
  const state = FormValues.safeParse(values);
  if (!declared || !state.success) return undefined;
  const submitted: Record<string, string> = {};
  for (const field of declared) {
    const entry = FieldState.safeParse(state.data[field.env]?.[VENDOR_FIELD_ACTION]);
    const value = entry.success ? entry.data.value?.trim() : undefined;
    if (value) submitted[field.env] = value;
  }
  return { vendor: metadata.vendor, submitted };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
