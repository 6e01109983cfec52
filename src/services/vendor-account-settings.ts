import type { ModalView } from '@slack/types';
import type { Logger } from '../domain/logger.js';
import { SettingsError, type CommonSettings, type SettingField, type VendorModule } from '../domain/vendor-module.js';
import type { AccountCheck, VendorAccountsRepository } from '../store/vendor-accounts-repository.js';
import {
  type CheckVerdict,
  type VendorAccountLine,
  vendorAccountModal,
  vendorAccountResultModal,
  vendorAccountSavingModal,
} from '../ui/vendor-accounts.js';
import { describeError } from '../vendors/errors.js';
import type { VendorAccounts } from './vendor-accounts.js';

export interface VendorAccountSettingsDeps {
  accounts: Pick<VendorAccounts, 'workspaceAccounts' | 'hasEnvironmentAccount' | 'connectionFor' | 'accountOf' | 'reload'>;
  store: Pick<VendorAccountsRepository, 'save' | 'claimCheck' | 'recordCheck'>;
  modules: readonly VendorModule<unknown>[];
  /** What the modules' settings read with (VENDOR_TIMEOUT_SECONDS). */
  common: CommonSettings;
  /** A workspace admin, or a member of the admin user group (AdminPolicy.isAdmin); its lines with `logger`. */
  isAdmin(teamId: string, userId: string, logger: Logger): Promise<boolean>;
  /** After a save and its check: the admin's Home tab shows the account as it now is (its lines with the save's logger). */
  onSaved?(teamId: string, userId: string, logger: Logger): Promise<void>;
  logger: Logger;
  now?: () => Date;
}

/** A submitted form: refused (not an admin), field errors, or accepted with the view to ack and the work to do after. */
export type Submission =
  | { kind: 'refused' | 'invalid'; errors: Record<string, string> }
  | { kind: 'accepted'; view: ModalView; finish(show: (view: ModalView) => Promise<void>): Promise<void> };

export interface SubmittedAccount {
  teamId: string;
  enterpriseId: string | null;
  userId: string;
  vendor: string;
  /** The form's non-empty values, by variable name. */
  submitted: Record<string, string>;
  /** The request's logger (its correlation id): the save, the check's vendor call and their outcome write with it. */
  logger?: Logger;
}

export const ADMINS_ONLY = 'Only workspace admins (and members of the admin user group) can change vendor accounts.';

/**
 * The App Home's vendor accounts, for admins: the form of each vendor (drawn from its module's
 * setting fields), and what happens when it is saved. The save is acknowledged at once; then the
 * values are written (sealed), every replica told, and the account checked with the vendor's
 * least harmful documented call; the admin reads the outcome in the modal. No value is ever
 * logged, and a secret is never shown again: its input stays empty, and empty keeps it.
 */
export class VendorAccountSettings {
  constructor(private readonly deps: VendorAccountSettingsDeps) {}

  /** A vendor's setting fields (what the form draws and reads). */
  fieldsOf(vendor: string): readonly SettingField[] | undefined {
    return this.module(vendor)?.settings.fields;
  }

  /** The Vendors section of an admin's Home tab: one line per vendor, from memory. */
  lines(teamId: string): VendorAccountLine[] {
    const own = this.deps.accounts.workspaceAccounts(teamId);
    return this.deps.modules.map(({ name, label }) => {
      const saved = own.get(name);
      if (saved) {
        const { stored, unusable } = saved;
        return { vendor: name, label, source: 'workspace', savedBy: stored?.updatedBy, savedAt: stored?.updatedAt, check: stored?.check ?? null, unusable };
      }
      return { vendor: name, label, source: this.deps.accounts.hasEnvironmentAccount(name) ? 'environment' : 'none' };
    });
  }

  /** The form of one vendor for an admin; undefined for anyone else (and a vendor that does not exist). `logger`: the request's. */
  async form(teamId: string, userId: string, vendor: string, logger: Logger = this.deps.logger): Promise<ModalView | undefined> {
    const module = this.module(vendor);
    if (!module || !(await this.deps.isAdmin(teamId, userId, logger))) return undefined;
    const own = this.deps.accounts.workspaceAccounts(teamId).get(vendor);
    const values = own?.stored?.values ?? {};
    const fields = module.settings.fields;
    return vendorAccountModal({
      vendor,
      label: module.label,
      fields,
      // Only what is not secret goes into the view; of a secret, only that it is saved.
      saved: Object.fromEntries(fields.filter((field) => !field.secret && values[field.env]).map((field) => [field.env, values[field.env]!])),
      savedSecrets: fields.filter((field) => field.secret && values[field.env]).map((field) => field.env),
      usingDefault: !own && this.deps.accounts.hasEnvironmentAccount(vendor),
    });
  }

  async submit(input: SubmittedAccount): Promise<Submission> {
    const module = this.module(input.vendor);
    const firstField = module?.settings.fields[0]?.env ?? 'settings';
    const logger = input.logger ?? this.deps.logger;
    // Checked again here: a submission may be forged by someone who never saw the form.
    if (!module || !(await this.deps.isAdmin(input.teamId, input.userId, logger))) {
      logger.warn({ teamId: input.teamId, userId: input.userId, vendor: input.vendor }, 'vendor account change refused: not an admin');
      return { kind: 'refused', errors: { [firstField]: ADMINS_ONLY } };
    }
    const values = this.merged(input.teamId, module, input.submitted);
    const problems = problemsOf(module, values, this.deps.common);
    if (problems.length > 0) {
      const fields = new Set(module.settings.fields.map((field) => field.env));
      const errors: Record<string, string> = {};
      for (const { variable, reason } of problems) errors[fields.has(variable) ? variable : firstField] ??= sentence(reason);
      return { kind: 'invalid', errors };
    }
    const settings = module.settings.read(values, this.deps.common);
    if (settings === undefined) return { kind: 'invalid', errors: { [firstField]: 'Fill in the account’s credentials.' } };
    return {
      kind: 'accepted',
      view: vendorAccountSavingModal(module.label),
      finish: (show) => this.saveAndCheck({ ...input, logger }, module, values, settings, show),
    };
  }

  /** The submitted values, and for each secret left empty, the one saved before. */
  private merged(teamId: string, module: VendorModule<unknown>, submitted: Record<string, string>): Record<string, string> {
    const saved = this.deps.accounts.workspaceAccounts(teamId).get(module.name)?.stored?.values ?? {};
    const values: Record<string, string> = {};
    for (const field of module.settings.fields) {
      const value = submitted[field.env]?.trim() || (field.secret ? saved[field.env] : undefined);
      if (value) values[field.env] = value;
    }
    return values;
  }

  private async saveAndCheck(
    input: SubmittedAccount & { logger: Logger },
    module: VendorModule<unknown>,
    values: Record<string, string>,
    settings: unknown,
    show: (view: ModalView) => Promise<void>,
  ): Promise<void> {
    const { teamId, userId, vendor, logger } = input;
    let version: number;
    try {
      version = await this.deps.store.save({ teamId, enterpriseId: input.enterpriseId, vendor, values, account: this.deps.accounts.accountOf(vendor, settings), updatedBy: userId, now: this.now() });
      // This replica at once; the others at their next tracking pass.
      await this.deps.accounts.reload(logger);
    } catch (error) {
      logger.warn({ teamId, vendor, err: error }, 'vendor account not saved');
      await this.show(show, vendorAccountResultModal(module.label, { kind: 'not_saved', reason: 'Rendezvous could not write it to its database.' }), logger);
      return;
    }
    logger.info({ teamId, vendor, userId, version }, 'vendor account saved');
    const verdict = await this.check(teamId, module, version, settings, logger);
    logger.info({ teamId, vendor, version, check: verdict.kind }, 'vendor account checked');
    await this.show(show, vendorAccountResultModal(module.label, verdict), logger);
    await this.deps.onSaved?.(teamId, userId, logger);
  }

  /** Runs the vendor's check on the account's connection (its budget, its token cache), at most as often as the vendor allows. */
  private async check(teamId: string, module: VendorModule<unknown>, version: number, settings: unknown, logger: Logger): Promise<CheckVerdict> {
    const vendor = module.name;
    const label = module.label;
    const now = this.now();
    const check = this.deps.accounts.connectionFor(vendor, settings).check;
    if (!check) {
      await this.record(teamId, vendor, version, { at: now, ok: null, detail: `Saved without a check: ${label} documents no call that creates nothing.` }, logger);
      return { kind: 'unchecked' };
    }
    const everyMs = check.spacing?.everyMs ?? 0;
    const claim = await this.deps.store.claimCheck(teamId, vendor, version, everyMs, now);
    if (!claim.claimed) {
      const everyMinutes = Math.round(everyMs / 60_000);
      // Dated at the check that did run, so this one does not push the next one further away.
      await this.record(teamId, vendor, version, { at: claim.lastCheckedAt, ok: null, detail: `Not checked: this account was checked less than ${everyMinutes} minutes ago.` }, logger);
      return { kind: 'spaced', lastCheckedAt: claim.lastCheckedAt, everyMinutes, why: check.spacing!.why };
    }
    try {
      // The check's vendor call logs under the save's id.
      await check.run({ logger });
      await this.record(teamId, vendor, version, { at: now, ok: true, detail: check.call }, logger);
      return { kind: 'ok', call: check.call };
    } catch (error) {
      const reason = describeError(error, () => label);
      await this.record(teamId, vendor, version, { at: now, ok: false, detail: reason }, logger);
      return { kind: 'failed', call: check.call, reason };
    }
  }

  private async record(teamId: string, vendor: string, version: number, check: AccountCheck, logger: Logger): Promise<void> {
    try {
      await this.deps.store.recordCheck(teamId, vendor, version, check);
      await this.deps.accounts.reload(logger);
    } catch (error) {
      logger.warn({ teamId, vendor, err: error }, 'vendor account check not recorded');
    }
  }

  private async show(show: (view: ModalView) => Promise<void>, view: ModalView, logger: Logger): Promise<void> {
    try {
      await show(view);
    } catch (error) {
      // The admin closed the modal meanwhile: the Home tab shows the outcome all the same.
      logger.info({ err: error }, 'vendor account modal not updated');
    }
  }

  private module(vendor: string): VendorModule<unknown> | undefined {
    return this.deps.modules.find((module) => module.name === vendor);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** Every problem with the values, by variable: the module's own list, else `read`'s first. */
function problemsOf(module: VendorModule<unknown>, values: Record<string, string>, common: CommonSettings): Array<{ variable: string; reason: string }> {
  if (module.settings.problems) return module.settings.problems(values, common);
  try {
    if (module.settings.read(values, common) !== undefined) return [];
    const first = module.settings.fields.find((field) => field.required) ?? module.settings.fields[0];
    return [{ variable: first?.env ?? 'settings', reason: 'is required' }];
  } catch (error) {
    if (error instanceof SettingsError) return [{ variable: error.variable, reason: error.reason }];
    throw error;
  }
}

/** "is required once any APIZEE_ credential is set" → "Required."; "must be an http(s) URL" → "Must be an http(s) URL." */
function sentence(reason: string): string {
  if (reason.startsWith('is required')) return 'Required.';
  const text = reason.charAt(0).toUpperCase() + reason.slice(1);
  return text.endsWith('.') ? text : `${text}.`;
}
