// The transport-free request and response a simulated Redfish service handles.
import type { IncomingHttpHeaders } from 'node:http';

export interface RedfishRequest {
  method: string;
  /** Path without query string or trailing slash (the service root is `/redfish/v1`). */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RedfishResponse {
  status: number;
  headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON; absent for 204. */
  body?: unknown;
}
