import { z } from 'zod';

/** One input's state as Slack sends it in `view.state.values[block][action]`. */
const InputState = z
  .object({
    type: z.string(),
    value: z.string().nullable().optional(),
    selected_option: z.object({ value: z.string() }).nullable().optional(),
    selected_options: z.array(z.object({ value: z.string() })).nullable().optional(),
    selected_conversation: z.string().nullable().optional(),
    selected_date: z.string().nullable().optional(),
    selected_date_time: z.number().nullable().optional(),
  })
  .loose();

export const ViewStateValues = z.record(z.string(), z.record(z.string(), InputState));
export type ViewStateValues = z.infer<typeof ViewStateValues>;
