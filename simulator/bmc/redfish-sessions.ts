// Redfish SessionService sessions (docs/nova-and-bmc-facts.md#sessions-and-basic-auth): a token per
// login, valid until the client logs out or stays idle for longer than SessionTimeout (DMTF
// SessionService.SessionTimeout is an inactivity timeout), after which requests get 401 and the
// client must log in again.
import { randomBytes } from 'node:crypto';
import { realMs } from './simulated-time.ts';

export interface RedfishSession {
  readonly id: string;
  readonly token: string;
  readonly userName: string;
  readonly createdTime: string;
  idleUntil: number;
}

export class RedfishSessions {
  private readonly byToken = new Map<string, RedfishSession>();

  constructor(
    /** In simulated seconds, as the SessionService reports it. */
    readonly timeoutSeconds: number,
    private readonly timeScale: number,
  ) {}

  open(userName: string): RedfishSession {
    const session: RedfishSession = {
      id: randomBytes(8).toString('hex'),
      token: randomBytes(24).toString('hex'),
      userName,
      createdTime: new Date().toISOString(),
      idleUntil: 0,
    };
    this.keepAlive(session);
    this.byToken.set(session.token, session);
    return session;
  }

  /** The live session holding this token, kept alive by the use; expired ones are forgotten. */
  use(token: string): RedfishSession | undefined {
    const session = this.byToken.get(token);
    if (!session) return undefined;
    if (Date.now() > session.idleUntil) {
      this.byToken.delete(token);
      return undefined;
    }
    this.keepAlive(session);
    return session;
  }

  find(id: string): RedfishSession | undefined {
    return this.live().find((session) => session.id === id);
  }

  close(session: RedfishSession): void {
    this.byToken.delete(session.token);
  }

  live(): RedfishSession[] {
    const now = Date.now();
    return [...this.byToken.values()].filter((session) => now <= session.idleUntil);
  }

  private keepAlive(session: RedfishSession): void {
    session.idleUntil = Date.now() + realMs(this.timeoutSeconds * 1000, this.timeScale);
  }
}
