/**
 * Writes packages/protocol/src/generated/messages.ts: one TypeScript
 * interface per message definition (and per nested struct), plus the
 * RequestByKey / ResponseByKey maps. `--check` exits 1 when the file on disk
 * is stale instead of writing it.
 *
 * Optionality rule: a field present (and untagged) in every version where
 * its parent exists is required; any other field is optional, because the
 * encoder writes its default when it is missing and the decoder always
 * fills it in. int64 is bigint; records are RecordsData (decode yields a
 * Buffer, encode also takes Buffer[] chunks).
 */
import { join, relative, resolve } from 'node:path';
import { apiDefs } from '../packages/protocol/src/messages/index.ts';
import type { FieldDef, MessageDef, PrimitiveType } from '../packages/protocol/src/schema/types.ts';
import { inVersions, versionsOf } from '../packages/protocol/src/schema/versions.ts';
import { emitGenerated } from './generated-file.ts';

const root = resolve(import.meta.dirname, '..');
const target = join(root, 'packages/protocol/src/generated/messages.ts');

const primitiveTs: Record<PrimitiveType, string> = {
  int8: 'number',
  int16: 'number',
  int32: 'number',
  int64: 'bigint',
  uint16: 'number',
  uint32: 'number',
  float64: 'number',
  bool: 'boolean',
  string: 'string',
  bytes: 'Buffer',
  uuid: 'string',
  records: 'RecordsData',
};

const interfaces: string[] = [];
const usedNames = new Set<string>();

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function singular(name: string): string {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('sses')) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

function uniqueName(wanted: string): string {
  let name = wanted;
  for (let i = 2; usedNames.has(name); i++) name = `${wanted}${i}`;
  usedNames.add(name);
  return name;
}

function describeVersions(f: FieldDef, versions: readonly number[], flexible: (v: number) => boolean): string {
  const present = versions.filter((v) => inVersions(f.versions, v));
  const parts: string[] = [];
  parts.push(present.length === 0 ? 'not in any defined version' : `versions ${rangeText(present)}`);
  const nullable = present.filter((v) => inVersions(f.nullableVersions, v));
  if (nullable.length > 0) parts.push(`nullable ${rangeText(nullable)}`);
  const tagged = present.filter((v) => flexible(v) && inVersions(f.taggedVersions, v));
  if (tagged.length > 0) parts.push(`tag ${f.tag ?? '?'} in ${rangeText(tagged)}`);
  if (f.default !== undefined) parts.push(`default ${String(f.default)}`);
  return parts.join('; ');
}

function rangeText(vs: readonly number[]): string {
  const first = vs[0];
  const last = vs[vs.length - 1];
  return first === last ? `${first}` : `${first}-${last}`;
}

/** Emits the interface for a struct and returns its name. */
function emitStruct(
  name: string,
  fields: readonly FieldDef[],
  versions: readonly number[],
  flexible: (v: number) => boolean,
  doc: string,
): string {
  const lines: string[] = [];
  for (const f of fields) {
    const present = versions.filter((v) => inVersions(f.versions, v));
    const tagged = present.some((v) => flexible(v) && inVersions(f.taggedVersions, v));
    const required = present.length === versions.length && !tagged;
    const nullable = f.default === null || present.some((v) => inVersions(f.nullableVersions, v));
    let type: string;
    if (f.type === '[]' || f.type === 'struct') {
      const child = emitStruct(
        uniqueName(`${name}${pascal(f.type === '[]' ? singular(f.name) : f.name)}`),
        f.fields ?? [],
        present,
        flexible,
        `An element of ${name}.${f.name}.`,
      );
      type = f.type === '[]' ? `${child}[]` : child;
    } else if (f.type.startsWith('[]')) {
      type = `${primitiveTs[f.type.slice(2) as PrimitiveType]}[]`;
    } else {
      type = primitiveTs[f.type as PrimitiveType];
    }
    lines.push(`  /** ${describeVersions(f, versions, flexible)} */`);
    lines.push(`  ${f.name}${required ? '' : '?'}: ${type}${nullable ? ' | null' : ''};`);
  }
  // A message with no fields at all (e.g. ListGroups v0-2 requests) is an empty record, not `{}`.
  interfaces.push(
    lines.length === 0
      ? `/** ${doc} */\nexport type ${name} = Record<string, never>;\n`
      : `/** ${doc} */\nexport interface ${name} {\n${lines.join('\n')}\n}\n`,
  );
  return name;
}

function emitMessage(def: MessageDef): string {
  const versions = versionsOf(def.validVersions);
  const name = uniqueName(def.name);
  const flexible = (v: number): boolean => inVersions(def.flexibleVersions, v);
  return emitStruct(name, def.fields, versions, flexible, `${def.name}, versions ${def.validVersions}.`);
}

const requestMap: string[] = [];
const responseMap: string[] = [];
for (const api of [...apiDefs].sort((a, b) => a.apiKey - b.apiKey)) {
  requestMap.push(`  ${api.apiKey}: ${emitMessage(api.request)};`);
  responseMap.push(`  ${api.apiKey}: ${emitMessage(api.response)};`);
}

const source = `// Generated by scripts/gen-protocol-types.ts from src/messages/*.ts. Do not edit.
// Regenerate with \`npm run gen\`.

/** Record data: decoding yields one Buffer (a view of the request); encoding also takes chunks, never copied. */
export type RecordsData = Buffer | readonly Buffer[];

${interfaces.join('\n')}
/** Request body types by API key. */
export interface RequestByKey {
${requestMap.join('\n')}
}

/** Response body types by API key. */
export interface ResponseByKey {
${responseMap.join('\n')}
}
`;

const check = process.argv.includes('--check');
if (!emitGenerated(target, source, { check })) process.exit(1);
console.log(
  check
    ? `${relative(root, target)} is up to date`
    : `wrote ${relative(root, target)} (${interfaces.length} interfaces)`,
);
