// Tokens the simulated Keystone issued; the simulated Nova validates them here, as
// keystonemiddleware would against Keystone.
import type { SimClock } from '../clock.ts';
import type { ApplicationCredential, Named } from '../identity.ts';
import type { SeededRandom } from '../random.ts';

export interface Token {
  id: string;
  methods: string[];
  user: Named;
  /** null for an unscoped token. */
  project: Named | null;
  roles: Named[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  applicationCredential: ApplicationCredential | null;
}

export type TokenGrant = Omit<Token, 'id' | 'issuedAt' | 'expiresAt' | 'auditId'>;

export class TokenStore {
  readonly #tokens = new Map<string, Token>();

  constructor(
    private readonly clock: SimClock,
    private readonly random: SeededRandom,
    private readonly lifetimeMs: number,
  ) {}

  issue(grant: TokenGrant): Token {
    const issuedAt = this.clock.wallNow();
    // Fernet tokens start with "gAAAAA"; clients treat them as opaque either way.
    const token: Token = {
      ...grant,
      id: `gAAAAA${this.random.hex(48)}`,
      issuedAt,
      expiresAt: issuedAt + this.lifetimeMs,
      auditId: this.random.hex(11),
    };
    this.#tokens.set(token.id, token);
    return token;
  }

  /** The live token with this id, or null when it is unknown or expired. */
  validate(id: string | undefined): Token | null {
    const token = id === undefined ? undefined : this.#tokens.get(id);
    return token !== undefined && token.expiresAt > this.clock.wallNow() ? token : null;
  }

  /** Lets a test see what a client does when its token expires early. */
  expireAll(): void {
    const now = this.clock.wallNow();
    for (const token of this.#tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }
}
