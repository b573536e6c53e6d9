// What every Temporal client and worker of a deployment converts payloads with: Temporal's
// default, plus Lazarus's AES-256-GCM codec when lazarus.yaml configures payload encryption. The
// worker, the receiver, the lazarus CLI and any integration calling sendHostReport build their
// Client or Worker with it, so all of them read and write the same histories.
import type { DataConverter } from '@temporalio/common';
import type { LazarusConfig } from '../../config/load-config.ts';
import { AesGcmPayloadCodec } from './aes-gcm-payload-codec.ts';
import { readPayloadKeys } from './key-files.ts';

type EncryptionConfig = Pick<LazarusConfig, 'path' | 'temporal'>;

/** The codec of the configuration, or undefined when payload encryption is off. */
export async function payloadCodecOf(
  config: EncryptionConfig,
): Promise<AesGcmPayloadCodec | undefined> {
  const settings = config.temporal.payloadEncryption;
  if (settings === undefined) return undefined;
  return new AesGcmPayloadCodec(await readPayloadKeys(settings, config.path));
}

/** `dataConverter` for a Client or Worker: the default one unless payload encryption is on. */
export async function dataConverterOf(config: EncryptionConfig): Promise<DataConverter> {
  const codec = await payloadCodecOf(config);
  return codec === undefined ? {} : { payloadCodecs: [codec] };
}

/** One line for a process's start-up log: which key encrypts, which others still decrypt. */
export function payloadEncryptionNotice(config: EncryptionConfig): string {
  const settings = config.temporal.payloadEncryption;
  if (settings === undefined)
    return 'payloads are not encrypted (temporal.payloadEncryption is off)';
  const others = settings.keys.map(({ id }) => id).filter((id) => id !== settings.activeKey);
  return `payloads are encrypted with key ${settings.activeKey}${others.length === 0 ? '' : `; keys ${others.join(', ')} still decrypt`}`;
}
