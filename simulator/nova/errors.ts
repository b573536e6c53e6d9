// Nova's error body: {"<faultName>": {"code": N, "message": "…"}} (nova/api/openstack/wsgi.py Fault).

export class NovaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const faultNames: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function novaFaultBody(
  status: number,
  message: string,
): Record<string, { code: number; message: string }> {
  return { [faultNames[status] ?? 'computeFault']: { code: status, message } };
}

export const badRequest = (message: string): NovaError => new NovaError(400, message);
export const notFound = (message: string): NovaError => new NovaError(404, message);
export const conflict = (message: string): NovaError => new NovaError(409, message);
