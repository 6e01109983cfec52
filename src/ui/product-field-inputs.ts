import type { InputBlock, PlainTextElement, PlainTextOption } from '@slack/types';
import { isValid, parseISO, startOfToday } from 'date-fns';
import type { FieldValue } from '../domain/start-request.js';
import type { ProductField } from '../domain/vendor-module.js';
import { productInput, type InputId } from './ids.js';
import type { ViewStateValues } from './view-state.js';

/**
 * A product's own modal inputs (`Product.fields`), drawn and read from their declarations: the
 * modal and the form know the field types, never which vendor declared them.
 */

const text = (value: string): PlainTextElement => ({ type: 'plain_text', text: value });
const option = (label: string, value: string): PlainTextOption => ({ text: text(label), value });

export interface TextInputOptions {
  optional?: boolean;
  hint?: string;
  initial?: string;
  placeholder?: string;
  multiline?: boolean;
  maxLength?: number;
}

export function textInput(id: InputId, label: string, options: TextInputOptions = {}): InputBlock {
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

/** One of a product's own inputs, drawn from its declaration. */
export function productFieldBlock(field: ProductField, defaults: Record<string, string | number | undefined>): InputBlock {
  const id = productInput(field);
  const initial = 'defaultFrom' in field && field.defaultFrom ? defaults[field.defaultFrom]?.toString() : undefined;
  const optional = !('required' in field && field.required);
  const hint = 'hint' in field && field.hint ? { hint: text(field.hint) } : {};
  switch (field.type) {
    case 'text':
      return textInput(id, field.label, { optional, hint: field.hint, initial, placeholder: field.placeholder, multiline: field.multiline, maxLength: field.maxLength });
    case 'number':
      if (field.asText) return textInput(id, field.label, { optional, hint: field.hint, initial });
      return {
        type: 'input',
        block_id: id.block,
        optional,
        label: text(field.label),
        ...hint,
        element: {
          type: 'number_input',
          action_id: id.action,
          is_decimal_allowed: false,
          ...(field.min !== undefined ? { min_value: String(field.min) } : {}),
          ...(field.max !== undefined ? { max_value: String(field.max) } : {}),
          ...(initial ? { initial_value: initial } : {}),
        },
      };
    case 'date':
      return { type: 'input', block_id: id.block, optional, label: text(field.label), ...hint, element: { type: 'datepicker', action_id: id.action } };
    case 'datetime':
      return { type: 'input', block_id: id.block, optional, label: text(field.label), ...hint, element: { type: 'datetimepicker', action_id: id.action } };
    case 'checkbox':
      return {
        type: 'input',
        block_id: id.block,
        optional: true,
        label: text(field.label),
        element: { type: 'checkboxes', action_id: id.action, options: [option(field.optionLabel, 'on')] },
      };
  }
}

type Errors = Record<string, string>;

function state(values: ViewStateValues, input: InputId) {
  return values[input.block]?.[input.action];
}

/** A text, select, conversation or date input's value, trimmed; undefined when empty. */
export function readInput(values: ViewStateValues, input: InputId): string | undefined {
  const item = state(values, input);
  const raw = item?.value ?? item?.selected_option?.value ?? item?.selected_conversation ?? item?.selected_date ?? undefined;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** A product's own inputs → `StartRequest.options`, with the validations they declare. */
export function readProductFields(values: ViewStateValues, fields: ProductField[], errors: Errors, now: Date): Record<string, FieldValue> {
  const options: Record<string, FieldValue> = {};
  for (const field of fields) {
    const id = productInput(field);
    const value = readField(values, field, id, now);
    if ('problem' in value) errors[id.block] = value.problem;
    else if (value.value !== undefined) options[field.key] = value.value;
  }
  return options;
}

function readField(values: ViewStateValues, field: ProductField, id: InputId, now: Date): { value?: FieldValue } | { problem: string } {
  const missing = () => ({ problem: ('missing' in field && field.missing) || `Give the ${field.label.toLowerCase()}.` });
  switch (field.type) {
    case 'text': {
      const value = readInput(values, id);
      if (!value) return field.required ? missing() : {};
      if (field.pattern && !field.pattern.regex.test(value)) return { problem: field.pattern.reason };
      return { value };
    }
    case 'number': {
      const textValue = readInput(values, id);
      if (textValue === undefined && !field.required) return {};
      if (textValue === undefined && field.missing) return missing();
      const value = Number(textValue);
      const invalid = { problem: field.invalid ?? `Give a whole number for ${field.label.toLowerCase()}.` };
      if (!Number.isInteger(value)) return invalid;
      if (field.min !== undefined && value < field.min) return invalid;
      if (field.max !== undefined && value > field.max) return invalid;
      return { value };
    }
    case 'date': {
      // Kept as Slack sends it (YYYY-MM-DD): a day, not an instant.
      const value = readInput(values, id);
      if (!value) return field.required ? missing() : {};
      if (!isValid(parseISO(value)) || (field.notBeforeToday && parseISO(value) < startOfToday())) return { problem: field.invalid ?? 'Choose a date from today on.' };
      return { value };
    }
    case 'datetime': {
      const seconds = state(values, id)?.selected_date_time ?? undefined;
      if (!seconds) return field.required ? missing() : {};
      const value = new Date(seconds * 1000);
      // A minute's grace: the time picked may have just passed while the form was filled in.
      if (field.notInPast && value.getTime() < now.getTime() - 60_000) return { problem: field.invalid ?? 'This time is in the past.' };
      return { value };
    }
    case 'checkbox':
      return { value: (state(values, id)?.selected_options ?? []).some((item) => item.value === 'on') };
  }
}

