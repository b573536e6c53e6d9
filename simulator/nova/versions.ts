// Version discovery (doc/api_samples/versions): GET / and GET /v2.1/ need no token.
import type { Microversion } from './microversion.ts';
import { formatMicroversion, minMicroversion } from './microversion.ts';

function v21(origin: string, max: Microversion): Record<string, unknown> {
  return {
    id: 'v2.1',
    links: [{ href: `${origin}/v2.1/`, rel: 'self' }],
    status: 'CURRENT',
    version: formatMicroversion(max),
    min_version: formatMicroversion(minMicroversion),
    updated: '2013-07-23T11:33:21Z',
  };
}

export function versionsDocument(origin: string, max: Microversion): unknown {
  return {
    versions: [
      {
        id: 'v2.0',
        links: [{ href: `${origin}/v2/`, rel: 'self' }],
        status: 'DEPRECATED',
        version: '',
        min_version: '',
        updated: '2025-07-04T12:00:00Z',
      },
      v21(origin, max),
    ],
  };
}

export function versionDocument(origin: string, max: Microversion): unknown {
  const version = v21(origin, max);
  return {
    version: {
      ...version,
      links: [
        { href: `${origin}/v2.1/`, rel: 'self' },
        { href: 'http://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
      ],
      'media-types': [
        { base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' },
      ],
    },
  };
}
