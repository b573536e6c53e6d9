// limit/marker paging and the "next" link, as nova/api/openstack/common.py ViewBuilder builds it:
// a link is added whenever a page is full, so a last page of exactly `limit` items still has one.
import { badRequest } from './errors.ts';
import { pageLimit } from './validation.ts';

export interface Page<T> {
  items: T[];
  /** [{"rel":"next","href":…}] or undefined on a page that is not full. */
  links: { href: string; rel: 'next' }[] | undefined;
}

export interface PageSource<T> {
  markerOf: (item: T) => string;
  /** Where the next link points, e.g. …/v2.1/servers/detail. */
  collectionUrl: string;
  /** Each collection words its unknown-marker 400 differently. */
  markerNotFound: (marker: string) => string;
}

export function paginate<T>(
  all: readonly T[],
  query: URLSearchParams,
  source: PageSource<T>,
): Page<T> {
  const { markerOf, collectionUrl } = source;
  const limit = pageLimit(query);
  const marker = query.get('marker');
  let start = 0;
  if (marker !== null) {
    const index = all.findIndex((item) => markerOf(item) === marker);
    if (index < 0) throw badRequest(source.markerNotFound(marker));
    start = index + 1;
  }
  const items = all.slice(start, start + limit);
  const last = items.at(-1);
  if (last === undefined || items.length < limit) return { items, links: undefined };
  const params = new URLSearchParams(query);
  params.set('marker', markerOf(last));
  return { items, links: [{ href: `${collectionUrl}?${params.toString()}`, rel: 'next' }] };
}
