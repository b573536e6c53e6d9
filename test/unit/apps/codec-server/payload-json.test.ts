import { describe, expect, it } from 'vitest';
import { payloadsFromJson, payloadsToJson } from '../../../../apps/codec-server/payload-json.ts';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

describe("the codec protocol's payloads in proto3 JSON", () => {
  it('reads base64 metadata and data into bytes and writes them back alike', () => {
    const body = {
      payloads: [
        { metadata: { encoding: base64('json/plain') }, data: base64('"cmp-07"') },
        { metadata: { encoding: base64('binary/null') } },
      ],
    };
    const read = payloadsFromJson(body);
    expect(
      'payloads' in read && read.payloads.map((p) => Buffer.from(p.data ?? []).toString()),
    ).toEqual(['"cmp-07"', '']);
    if (!('payloads' in read)) return;
    expect(payloadsToJson(read.payloads)).toEqual({
      payloads: [body.payloads[0], { metadata: body.payloads[1]?.metadata, data: '' }],
    });
  });

  it('takes URL-safe and unpadded base64 and null fields, as proto3 JSON allows', () => {
    const read = payloadsFromJson({
      payloads: [
        { metadata: { encoding: 'anNvbi9wbGFpbg' }, data: '-_8' },
        { metadata: null, data: null },
      ],
    });
    expect('payloads' in read && read.payloads.map((p) => [...(p.data ?? [])])).toEqual([
      [0xfb, 0xff],
      [],
    ]);
  });

  it('names each field at fault', () => {
    expect(
      payloadsFromJson({ payloads: [{ data: 'not base64!' }, 'x', { metadata: { encoding: 7 } }] }),
    ).toEqual({
      problems: [
        'payloads[0].data: must be base64 text',
        'payloads[1]: must be a payload: {"metadata": {...}, "data": "<base64>"}',
        'payloads[2].metadata.encoding: must be base64 text',
      ],
    });
    expect(payloadsFromJson([])).toEqual({
      problems: ['the body: must be an object {"payloads": [...]}'],
    });
    expect(payloadsFromJson({})).toEqual({ problems: ['payloads: must be a list of payloads'] });
  });
});
