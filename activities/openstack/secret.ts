// A password, application-credential secret or token that cannot end up in a log line or an error
// by accident: printing, string-building and JSON all show a placeholder
// (docs/design.md#i7-no-secrets-in-history-or-logs).
import { inspect } from 'node:util';

const hidden = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value, for the one place that must send it (a request body or header). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return hidden;
  }

  toJSON(): string {
    return hidden;
  }

  [inspect.custom](): string {
    return hidden;
  }
}
