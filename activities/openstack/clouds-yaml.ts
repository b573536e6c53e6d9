// Finding a cloud's entry in clouds.yaml the way openstacksdk and openstackclient do:
// OS_CLIENT_CONFIG_FILE if set, else the first of ./clouds.yaml,
// ~/.config/openstack/clouds.yaml and /etc/openstack/clouds.yaml.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { LazarusError } from '../errors.ts';

export interface CloudsYamlSearch {
  env: Readonly<Record<string, string | undefined>>;
  /** Where ./clouds.yaml is looked for; the process's working directory when absent. */
  cwd?: string;
}

export interface CloudEntry {
  path: string;
  name: string;
  entry: unknown;
}

function cloudsYamlCandidates({ env, cwd = process.cwd() }: CloudsYamlSearch): string[] {
  const explicit = env.OS_CLIENT_CONFIG_FILE;
  if (explicit !== undefined && explicit !== '') return [resolve(cwd, explicit)];
  return [
    join(cwd, 'clouds.yaml'),
    ...(env.HOME === undefined ? [] : [join(env.HOME, '.config', 'openstack', 'clouds.yaml')]),
    join('/etc', 'openstack', 'clouds.yaml'),
  ];
}

const cloudsFileSchema = z.object({ clouds: z.record(z.string(), z.unknown()) });

const invalid = (message: string, details: Record<string, unknown> = {}): LazarusError =>
  new LazarusError('ConfigurationInvalid', message, details);

async function readFirst(
  paths: readonly string[],
): Promise<{ path: string; text: string } | undefined> {
  for (const path of paths) {
    try {
      return { path, text: await readFile(path, 'utf8') };
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) {
        throw invalid(
          `cannot read clouds.yaml at ${path}: ${error instanceof Error ? error.message : String(error)}; check its permissions`,
          { path },
        );
      }
    }
  }
  return undefined;
}

/** The raw entry of cloud `name`, or a ConfigurationInvalid that says where Lazarus looked. */
export async function findCloudEntry(name: string, search: CloudsYamlSearch): Promise<CloudEntry> {
  const candidates = cloudsYamlCandidates(search);
  const found = await readFirst(candidates);
  if (found === undefined) {
    throw invalid(
      `cloud '${name}' was asked for, but no clouds.yaml exists (looked at ${candidates.join(', ')}); create one or point OS_CLIENT_CONFIG_FILE at it`,
    );
  }
  let document: unknown;
  try {
    document = parse(found.text);
  } catch (error) {
    // The parser's own message quotes the offending line, which may hold a password: give the position only.
    const position =
      error instanceof YAMLParseError && error.linePos !== undefined
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
    throw invalid(`clouds.yaml at ${found.path} is not valid YAML${position}; fix the file`, {
      path: found.path,
    });
  }
  const file = cloudsFileSchema.safeParse(document);
  if (!file.success)
    throw invalid(
      `clouds.yaml at ${found.path} has no 'clouds:' mapping; see the openstacksdk clouds.yaml format`,
      { path: found.path },
    );
  const entry = file.data.clouds[name];
  if (entry === undefined) {
    const known = Object.keys(file.data.clouds);
    throw invalid(
      `clouds.yaml at ${found.path} has no cloud '${name}' (it has: ${known.join(', ') || 'none'}); set OS_CLOUD or the configured cloud name to one of them`,
      { path: found.path },
    );
  }
  return { path: found.path, name, entry };
}
