/**
 * The JSON the message browser's and schemas page's endpoints answer
 * (/ui/api/messages/..., /ui/api/schemas/...): the contract between the
 * gateway (console/messages/, console/schemas/) and the browser code
 * (packages/gateway/console/src), which imports these types. No imports:
 * the browser build type-checks this file without Node's types. Offsets are
 * decimal strings (int64); timestamps are milliseconds.
 */

export type RegistryKind = 'avro' | 'jsonschema' | 'protobuf';

/** A key or value as shown: decoded by its registry schema, JSON, text, or hex; cut parts say so. */
export type PartView =
  | { kind: 'null' }
  | { kind: RegistryKind; schemaId: number; value: unknown; size: number }
  | { kind: 'json'; value: unknown; size: number }
  | { kind: 'text'; text: string; size: number; truncated: boolean }
  | { kind: 'hex'; hex: string; size: number; truncated: boolean };

export interface HeaderView {
  key: string;
  /** The header value as text when it is printable UTF-8, else as hex; null for a null value. */
  value: string | null;
  encoding: 'text' | 'hex' | 'null';
  truncated: boolean;
}

export interface RecordView {
  partition: number;
  /** int64 as a decimal string. */
  offset: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  key: PartView;
  value: PartView;
  headers: HeaderView[];
}

export interface ScanReport {
  partition: number;
  lowWatermark: string;
  highWatermark: string;
  fromOffset: string;
  /** The offset after the last record scanned (where a further read would go on). */
  nextOffset: string;
  recordsScanned: number;
  bytesScanned: number;
  matched: number;
  stoppedBy: 'end' | 'limit' | 'scanRecordsMax' | 'scanBytesMax';
}

/** GET /ui/api/messages/:topic */
export interface MessagePage {
  topic: string;
  partitionCount: number;
  /** The partitions read: with a key, only the key's partition. */
  partitions: number[];
  /** The partition Kafka's default partitioner gives the key; null without a key. */
  keyPartition: number | null;
  records: RecordView[];
  scans: ScanReport[];
  scanned: { records: number; bytes: number };
}

/** GET /ui/api/messages */
export interface MessageTopicsAnswer {
  topics: { name: string; partitions: number; internal: boolean }[];
}

/** GET /ui/api/messages/:topic/partitions */
export interface MessagePartitionsAnswer {
  topic: string;
  partitionCount: number;
  partitions: { partition: number; lowWatermark: string; highWatermark: string }[];
}

/** GET /ui/api/schemas/subjects */
export interface SubjectPageAnswer {
  subjects: { subject: string; latestVersion: number | null; id: number | null; schemaType: string | null }[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

export interface SchemaVersionAnswer {
  subject: string;
  version: number;
  id: number;
  schemaType: string;
  schema: string;
  references: unknown[];
  /** The schema as the page shows it: Avro and JSON Schema pretty-printed. */
  pretty: string;
}

/** GET /ui/api/schemas/subjects/:subject */
export interface SubjectAnswer {
  subject: string;
  versions: number[];
  compatibilityLevel: string | null;
  latest: SchemaVersionAnswer;
}

export interface DiffLine {
  op: 'same' | 'add' | 'remove';
  text: string;
  /** 1-based line numbers in the old and new text; null on the side the line is not in. */
  fromLine: number | null;
  toLine: number | null;
}

/** GET /ui/api/schemas/subjects/:subject/diff */
export interface SchemaDiffAnswer {
  subject: string;
  from: { version: number; id: number; schemaType: string };
  to: { version: number; id: number; schemaType: string };
  lines: DiffLine[];
  added: number;
  removed: number;
  /** False when the versions were too far apart to align within the bound: the middle is shown replaced whole. */
  exact: boolean;
}

/** POST /ui/api/schemas/subjects/:subject/compatibility */
export interface CompatibilityAnswer {
  subject: string;
  version: number | 'latest';
  compatibilityLevel: string | null;
  is_compatible: boolean;
  messages: string[];
}
