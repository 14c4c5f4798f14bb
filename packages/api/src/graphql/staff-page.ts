/**
 * The lists a shop's staff reads a page at a time (the moderation log, invitations, webhook
 * deliveries, the dashboard's review lists): the same `first` and `after` arguments, checked by
 * validate.ts' pageSize, and the same cost, so their limits are written once.
 */
import type { ArgBuilder } from "@pothos/core";
import { STAFF_PAGE } from "../features/validate.js";
import type { Types } from "./builder.js";
import { pageCost } from "./cost.js";

/** For such a list's `extensions.complexity`: `first` items, STAFF_PAGE.byDefault when left out. */
export const staffPageCost = pageCost(STAFF_PAGE.byDefault);

/** `first`, counting `items` ("entries"; none: "How many, 1 to 500."). */
export function staffPageFirst(arg: ArgBuilder<Types>, items?: string) {
  return arg.int({
    required: false,
    defaultValue: STAFF_PAGE.byDefault,
    description: `How many${items ? ` ${items}` : ""}, 1 to ${STAFF_PAGE.most}.`,
  });
}

/** `first` and `after`, in the list's words: the `items` counted, and the cursor `after` takes ("this entry's `cursor`"). */
export function staffPageArgs(arg: ArgBuilder<Types>, words: { items?: string; cursor: string }) {
  return {
    first: staffPageFirst(arg, words.items),
    after: arg.string({ required: false, description: `Continue after ${words.cursor}.` }),
  };
}
