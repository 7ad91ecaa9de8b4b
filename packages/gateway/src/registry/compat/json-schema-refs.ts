/**
 * `$ref` resolution for the JSON Schema checker: JSON pointers and anchors
 * inside a document, and other documents by reference name (resolved
 * against the base URI of the document the `$ref` is in) or by their own
 * `$id`. Pure: the documents come resolved from the registry.
 */
import { isObject, type JsonValue, type ResolvedJsonSchema } from '../formats/json-schema.ts';

/** A subschema and the document its `$ref`s are relative to. */
export interface Node {
  readonly schema: JsonValue;
  readonly doc: Doc;
}

export interface Doc {
  readonly root: JsonValue;
  /** The document's base URI or reference key; undefined for a root without an absolute `$id`. */
  readonly key: string | undefined;
}

/** Follows `$ref`s (local pointers, anchors, referenced documents by name) to the schema they name. */
export function deref(node: Node, side: ResolvedJsonSchema): Node {
  let current = node;
  for (let hops = 0; hops < 64; hops++) {
    const { schema } = current;
    if (!isObject(schema) || typeof schema.$ref !== 'string') return current;
    const target = resolveRef(schema.$ref, current.doc, side);
    // Registration already refused unresolvable references; one that still does not resolve constrains nothing.
    if (target === undefined) return { schema: true, doc: current.doc };
    current = target;
  }
  return current;
}

function resolveRef(ref: string, doc: Doc, side: ResolvedJsonSchema): Node | undefined {
  const hash = ref.indexOf('#');
  const address = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  const target = address === '' ? doc : findDocument(address, doc, side);
  if (target === undefined) return undefined;
  const schema =
    fragment === ''
      ? target.root
      : fragment.startsWith('/')
        ? pointer(target.root, fragment)
        : anchor(target.root, fragment);
  return schema === undefined ? undefined : { schema, doc: target };
}

function findDocument(address: string, doc: Doc, side: ResolvedJsonSchema): Doc | undefined {
  const base = doc.key ?? side.base;
  let absolute = address;
  if (base !== undefined) {
    try {
      absolute = new URL(address, base).href;
    } catch {
      // not a URL base: keep the name as written
    }
  }
  if (side.base !== undefined && absolute === side.base) return { root: side.root, key: side.base };
  for (const key of [absolute, address]) {
    const found = side.documents.get(key);
    if (found !== undefined) return { root: found, key };
  }
  for (const [key, found] of side.documents) {
    if (isObject(found) && (found.$id === absolute || found.$id === address)) return { root: found, key };
  }
  return undefined;
}

function pointer(root: JsonValue, fragment: string): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const raw of fragment.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function anchor(root: JsonValue, name: string): JsonValue | undefined {
  if (Array.isArray(root)) {
    for (const item of root) {
      const found = anchor(item, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(root)) return undefined;
  if (root.$anchor === name || root.$id === `#${name}` || root.id === `#${name}`) return root;
  for (const value of Object.values(root)) {
    const found = anchor(value, name);
    if (found !== undefined) return found;
  }
  return undefined;
}
