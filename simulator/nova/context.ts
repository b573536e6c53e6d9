// What every Nova handler gets: the world, the negotiated microversion and the parsed request.
import type { SimClock } from '../clock.ts';
import type { Reply } from '../http/server.ts';
import type { Token } from '../keystone/tokens.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { SeededRandom } from '../random.ts';
import type { World } from '../world/world.ts';
import type { Microversion } from './microversion.ts';

export interface NovaDeps {
  world: World;
  ledger: Ledger;
  clock: SimClock;
  random: SeededRandom;
  maxMicroversion: Microversion;
  /** nova.conf [api] enable_instance_password: evacuate before 2.14 answers with adminPass. */
  isInstancePasswordEnabled: boolean;
}

export interface NovaRequest {
  microversion: Microversion;
  requestId: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: unknown;
  token: Token;
  /** e.g. http://127.0.0.1:8774/v2.1 (plus /<project> when the request URL had one). */
  linkBase: string;
  /** The same without the version, as Nova's bookmark links are. */
  bookmarkBase: string;
}

export type NovaHandler = (deps: NovaDeps, request: NovaRequest) => Reply | Promise<Reply>;

export interface NovaRoute {
  method: string;
  pattern: string;
  /** The policy rule Nova checks (nova/policies/*.py), named in its 403; per action for actions. */
  policy: string | ((body: unknown) => string);
  handle: NovaHandler;
}
