/**
 * The DynamoDB tables and S3 buckets a function declares beside its routes in C++
 * (include/cppstack/http/resources.hpp), as the export writes them into routes.json (keys
 * `tables` and `buckets`, absent when there is none; docs/route-table.md). Read strictly: what
 * the C++ side would refuse, or DynamoDB would refuse to create, fails synth with the entry named.
 *
 * @example
 *   const tables = parseTables(document.tables, 'routes.json');     // [] when absent
 *   tableVariable('notes');                                         // 'TABLE_NOTES'
 *   bucketVariable('note-attachments');                             // 'BUCKET_NOTE_ATTACHMENTS'
 */

export const KEY_TYPES = ['S', 'N', 'B'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const PROJECTIONS = ['ALL', 'KEYS_ONLY'] as const;
export type Projection = (typeof PROJECTIONS)[number];

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface GlobalIndexDeclaration {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | null;
  readonly projection: Projection;
}

export interface LocalIndexDeclaration {
  readonly name: string;
  readonly sortKey: KeyAttribute;
  readonly projection: Projection;
}

export interface TableDeclaration {
  /** The logical name: the function reads the physical one from TABLE_<NAME>. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute | null;
  readonly globalIndexes: readonly GlobalIndexDeclaration[];
  readonly localIndexes: readonly LocalIndexDeclaration[];
  /** A Number attribute of epoch seconds after which DynamoDB deletes the item; null: none. */
  readonly timeToLiveAttribute: string | null;
}

export interface BucketDeclaration {
  /** The logical name: the function reads the physical one from BUCKET_<NAME>. */
  readonly name: string;
}

/** Lowercase letters, digits and hyphens, 3 to 48, starting with a letter, not ending with '-' (as resources.hpp). */
export const RESOURCE_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{1,46})[a-z0-9]$/;
const ATTRIBUTE_NAME_PATTERN = /^[\x21-\x7E]{1,255}$/;
const INDEX_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
/** DynamoDB's default quotas per table. */
export const MAX_GLOBAL_INDEXES = 20;
export const MAX_LOCAL_INDEXES = 5;

export class ResourceDeclarationError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'ResourceDeclarationError';
  }
}

/** `TABLE_` and the logical name upper-cased with '-' turned into '_'. */
export function tableVariable(logicalName: string): string {
  return `TABLE_${environmentSuffix(logicalName)}`;
}

/** `BUCKET_` and the logical name upper-cased with '-' turned into '_'. */
export function bucketVariable(logicalName: string): string {
  return `BUCKET_${environmentSuffix(logicalName)}`;
}

function environmentSuffix(logicalName: string): string {
  return logicalName.toUpperCase().replace(/-/g, '_');
}

export function parseTables(value: unknown, source: string): TableDeclaration[] {
  const tables = parseList(value, 'tables', source).map((entry, index) => parseTable(entry, `${source}: tables[${index}]`));
  refuseDuplicates(tables.map((table) => table.name), 'table', source);
  return tables;
}

export function parseBuckets(value: unknown, source: string): BucketDeclaration[] {
  const buckets = parseList(value, 'buckets', source).map((entry, index) => {
    const where = `${source}: buckets[${index}]`;
    const bucket = expectObject(entry, where, ['name']);
    return { name: parseResourceName(bucket.name, where) };
  });
  refuseDuplicates(buckets.map((bucket) => bucket.name), 'bucket', source);
  return buckets;
}

function parseList(value: unknown, key: string, source: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ResourceDeclarationError(source, `${key} must be an array, got ${JSON.stringify(value)}`);
  return value;
}

function refuseDuplicates(names: readonly string[], kind: string, source: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new ResourceDeclarationError(source, `${kind} ${name} is declared twice`);
    seen.add(name);
  }
}

function parseTable(entry: unknown, where: string): TableDeclaration {
  const table = expectObject(entry, where, ['name', 'partitionKey', 'sortKey', 'globalIndexes', 'localIndexes', 'timeToLiveAttribute']);
  const name = parseResourceName(table.name, where);
  const partitionKey = parseKey(table.partitionKey, `${where}.partitionKey`);
  if (partitionKey === null) throw new ResourceDeclarationError(where, 'partitionKey is required');
  const sortKey = parseKey(table.sortKey, `${where}.sortKey`);
  const globalIndexes = parseList(table.globalIndexes, 'globalIndexes', where).map((index, position) => {
    const at = `${where}.globalIndexes[${position}]`;
    const gsi = expectObject(index, at, ['name', 'partitionKey', 'sortKey', 'projection']);
    const indexPartitionKey = parseKey(gsi.partitionKey, `${at}.partitionKey`);
    if (indexPartitionKey === null) throw new ResourceDeclarationError(at, 'partitionKey is required');
    return { name: parseIndexName(gsi.name, at), partitionKey: indexPartitionKey, sortKey: parseKey(gsi.sortKey, `${at}.sortKey`), projection: parseProjection(gsi.projection, at) };
  });
  const localIndexes = parseList(table.localIndexes, 'localIndexes', where).map((index, position) => {
    const at = `${where}.localIndexes[${position}]`;
    const lsi = expectObject(index, at, ['name', 'sortKey', 'projection']);
    const indexSortKey = parseKey(lsi.sortKey, `${at}.sortKey`);
    if (indexSortKey === null) throw new ResourceDeclarationError(at, 'sortKey is required');
    return { name: parseIndexName(lsi.name, at), sortKey: indexSortKey, projection: parseProjection(lsi.projection, at) };
  });
  const ttl = table.timeToLiveAttribute;
  if (ttl !== null && ttl !== undefined && (typeof ttl !== 'string' || !ATTRIBUTE_NAME_PATTERN.test(ttl))) {
    throw new ResourceDeclarationError(where, `timeToLiveAttribute must be null or an attribute name, got ${JSON.stringify(ttl)}`);
  }
  const declaration: TableDeclaration = { name, partitionKey, sortKey, globalIndexes, localIndexes, timeToLiveAttribute: ttl ?? null };
  checkTable(declaration, where);
  return declaration;
}

/** What DynamoDB's CreateTable refuses, as include/cppstack/http/resources.hpp checks it. */
function checkTable(table: TableDeclaration, where: string): void {
  if (table.globalIndexes.length > MAX_GLOBAL_INDEXES) {
    throw new ResourceDeclarationError(where, `${table.globalIndexes.length} global secondary indexes; DynamoDB allows ${MAX_GLOBAL_INDEXES}`);
  }
  if (table.localIndexes.length > MAX_LOCAL_INDEXES) {
    throw new ResourceDeclarationError(where, `${table.localIndexes.length} local secondary indexes; DynamoDB allows ${MAX_LOCAL_INDEXES}`);
  }
  if (table.localIndexes.length > 0 && table.sortKey === null) {
    throw new ResourceDeclarationError(where, 'a local secondary index needs a table with a sort key');
  }
  refuseDuplicates([...table.globalIndexes, ...table.localIndexes].map((index) => index.name), 'index', where);
  const types = new Map<string, KeyType>();
  const keys = [table.partitionKey, table.sortKey, ...table.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]), ...table.localIndexes.map((index) => index.sortKey)];
  for (const key of keys) {
    if (key === null) continue;
    const known = types.get(key.name);
    if (known !== undefined && known !== key.type) {
      throw new ResourceDeclarationError(where, `attribute "${key.name}" is declared as type ${known} and ${key.type} (DynamoDB keeps one type per attribute)`);
    }
    types.set(key.name, key.type);
  }
  const ttlType = table.timeToLiveAttribute === null ? undefined : types.get(table.timeToLiveAttribute);
  if (ttlType !== undefined && ttlType !== 'N') {
    throw new ResourceDeclarationError(where, `the time-to-live attribute "${table.timeToLiveAttribute}" is a key of type ${ttlType}; time to live reads a Number`);
  }
}

function parseResourceName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !RESOURCE_NAME_PATTERN.test(value)) {
    throw new ResourceDeclarationError(where, `name must be 3 to 48 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseIndexName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !INDEX_NAME_PATTERN.test(value)) {
    throw new ResourceDeclarationError(where, `name must be 3 to 255 of a-z A-Z 0-9 _ . -, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseProjection(value: unknown, where: string): Projection {
  const projection = PROJECTIONS.find((candidate) => candidate === value);
  if (projection === undefined) throw new ResourceDeclarationError(where, `projection must be "ALL" or "KEYS_ONLY", got ${JSON.stringify(value)}`);
  return projection;
}

function parseKey(value: unknown, where: string): KeyAttribute | null {
  if (value === null || value === undefined) return null;
  const key = expectObject(value, where, ['name', 'type']);
  if (typeof key.name !== 'string' || !ATTRIBUTE_NAME_PATTERN.test(key.name)) {
    throw new ResourceDeclarationError(where, `name must be 1 to 255 printable ASCII characters, got ${JSON.stringify(key.name)}`);
  }
  const type = KEY_TYPES.find((candidate) => candidate === key.type);
  if (type === undefined) throw new ResourceDeclarationError(where, `type must be "S", "N" or "B", got ${JSON.stringify(key.type)}`);
  return { name: key.name, type };
}

/** An object with only the given keys: a key the reader does not know is a mistake, not ignored. */
function expectObject(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ResourceDeclarationError(where, 'expected an object');
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw new ResourceDeclarationError(where, `unknown key "${unknown}" (known: ${keys.join(', ')})`);
  return value as Record<string, unknown>;
}
