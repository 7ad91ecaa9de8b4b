/**
 * The model printed as .proto text: the form the registry stores, answers
 * and identifies a Protobuf schema by. Like Confluent's canonical string
 * (its schema printed back from the parsed file), comments and layout are
 * gone, so two submissions that differ only in those are one schema, and a
 * FileDescriptorProto submission prints as text. Order: syntax, package,
 * imports, file options, then types in declaration order and services;
 * inside a message its options, reserved ranges and names, plain fields,
 * oneofs, extension ranges, then nested types in declaration order.
 */
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoOption, ProtoService } from './protobuf-model.ts';

// Options whose values are enum constants, printed bare (protobufjs gives every value as a plain string).
const ENUM_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'idempotency_level', 'retention']);

export function printProto(file: ProtoFile): string {
  const out: string[] = [`syntax = "${file.syntax}";`];
  if (file.package !== '') out.push(`package ${file.package};`);
  const imports = [
    ...file.imports.map((i) => `import ${quote(i)};`),
    ...file.publicImports.map((i) => `import public ${quote(i)};`),
    ...file.weakImports.map((i) => `import weak ${quote(i)};`),
  ];
  if (imports.length > 0) out.push('', ...imports);
  if (file.options.length > 0) out.push('', ...file.options.map((o) => `option ${optionText(o)};`));
  for (const t of file.types) {
    out.push('', ...(t.kind === 'message' ? message(t.message, '', enumNames(file)) : enumLines(t.enum, '')));
  }
  for (const s of file.services) out.push('', ...service(s));
  return `${out.join('\n')}\n`;
}

/** Names of the file's enums, so an enum-typed field's `default` prints as a constant. */
function enumNames(file: ProtoFile): ReadonlySet<string> {
  const names = new Set<string>();
  const walk = (types: ProtoFile['types']): void => {
    for (const t of types) {
      if (t.kind === 'enum') names.add(t.enum.name);
      else walk(t.message.nested);
    }
  };
  walk(file.types);
  return names;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function value(v: unknown, bare: boolean): string {
  if (typeof v === 'string') return bare ? v : quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${value(x, false)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return String(v);
}

function optionText(o: ProtoOption, bare = ENUM_OPTIONS.has(o.name)): string {
  return `${o.name} = ${value(o.value, bare)}`;
}

function fieldOptions(f: ProtoField, enums: ReadonlySet<string>): string {
  if (f.options.length === 0) return '';
  const enumTyped = f.resolved?.kind === 'enum' || enums.has(f.type.split('.').pop() ?? '');
  const texts = f.options.map((o) =>
    optionText(o, ENUM_OPTIONS.has(o.name) || (o.name === 'default' && (enumTyped || isSpecialFloat(o.value)))),
  );
  return ` [${texts.join(', ')}]`;
}

function isSpecialFloat(v: unknown): boolean {
  return v === 'inf' || v === '-inf' || v === 'nan';
}

function field(f: ProtoField, indent: string, enums: ReadonlySet<string>): string {
  const type = f.mapKey !== undefined ? `map<${f.mapKey}, ${f.type}>` : f.type;
  const label = f.label === undefined ? '' : `${f.label} `;
  return `${indent}${label}${type} ${f.name} = ${f.number}${fieldOptions(f, enums)};`;
}

function ranges(rs: readonly (readonly [number, number])[], max: number): string {
  return rs.map(([a, b]) => (a === b ? `${a}` : `${a} to ${b >= max ? 'max' : b}`)).join(', ');
}

const FIELD_MAX = 536_870_911;

function message(m: ProtoMessage, indent: string, enums: ReadonlySet<string>): string[] {
  const inner = `${indent}  `;
  const body: string[] = [];
  for (const o of m.options) body.push(`${inner}option ${optionText(o)};`);
  if (m.reservedRanges.length > 0) body.push(`${inner}reserved ${ranges(m.reservedRanges, FIELD_MAX)};`);
  if (m.reservedNames.length > 0) body.push(`${inner}reserved ${m.reservedNames.map(quote).join(', ')};`);
  for (const f of m.fields) if (f.oneof === undefined) body.push(field(f, inner, enums));
  for (const name of m.oneofs) {
    body.push(`${inner}oneof ${name} {`);
    for (const f of m.fields) if (f.oneof === name) body.push(field(f, `${inner}  `, enums));
    body.push(`${inner}}`);
  }
  if (m.extensionRanges.length > 0) body.push(`${inner}extensions ${ranges(m.extensionRanges, FIELD_MAX)};`);
  for (const t of m.nested) {
    body.push(...(t.kind === 'message' ? message(t.message, inner, enums) : enumLines(t.enum, inner)));
  }
  return [`${indent}message ${m.name} {`, ...body, `${indent}}`];
}

function enumLines(e: ProtoEnum, indent: string): string[] {
  const inner = `${indent}  `;
  const body: string[] = [];
  for (const o of e.options) body.push(`${inner}option ${optionText(o)};`);
  if (e.reservedRanges.length > 0) body.push(`${inner}reserved ${ranges(e.reservedRanges, 2_147_483_647)};`);
  if (e.reservedNames.length > 0) body.push(`${inner}reserved ${e.reservedNames.map(quote).join(', ')};`);
  for (const v of e.values) {
    const opts = v.options.length > 0 ? ` [${v.options.map((o) => optionText(o)).join(', ')}]` : '';
    body.push(`${inner}${v.name} = ${v.number}${opts};`);
  }
  return [`${indent}enum ${e.name} {`, ...body, `${indent}}`];
}

function service(s: ProtoService): string[] {
  const body: string[] = [];
  for (const o of s.options) body.push(`  option ${optionText(o)};`);
  for (const m of s.methods) {
    const input = `${m.clientStreaming ? 'stream ' : ''}${m.input}`;
    const output = `${m.serverStreaming ? 'stream ' : ''}${m.output}`;
    const head = `  rpc ${m.name} (${input}) returns (${output})`;
    if (m.options.length === 0) body.push(`${head};`);
    else body.push(`${head} {`, ...m.options.map((o) => `    option ${optionText(o)};`), '  }');
  }
  return [`service ${s.name} {`, ...body, '}'];
}
