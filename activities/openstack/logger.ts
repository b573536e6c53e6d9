// Where the OpenStack clients report what an operator should notice. Temporal's activity logger
// (`log` from @temporalio/activity) fits this shape, and so does a CLI's console.
import type { Logger } from '@temporalio/common';

export type OpenStackLogger = Pick<Logger, 'warn'>;

export const consoleLogger: OpenStackLogger = {
  warn: (message, meta) => {
    console.warn(message, meta ?? {});
  },
};
