/**
 * The schema registry: loads `schemas/*.json` synchronously, compiles every message schema once with ajv
 * (strict mode, all errors) and the catalogue keywords, and answers validate / parse / metadata queries.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { ValidationError } from '../hub/errors.js';
import type { SchemaIssue } from '../hub/errors.js';
import { toIssues } from './issues.js';
import { dateRuleIssues } from './date-rules.js';
import { addCatalogueKeywords } from './keywords.js';
import type { JuminhyoCodeCheckMode } from './keywords.js';
import type { MessageType, MessageTypes, SystemId } from './types.gen.js';

/** The generated catalogue types, re-exported for callers of the registry. */
export type { MessageType, MessageTypes, SystemId };

/** What the catalogue says about one message type (from the schema's root keywords). */
export interface MessageTypeInfo {
  readonly messageType: string;
  readonly title: { readonly ja: string; readonly en: string };
  readonly description: string;
  readonly from: SystemId;
  readonly to: readonly SystemId[];
  readonly affair: number;
  readonly carriesMyNumber: boolean;
}

/** Outcome of validation: `issues` make the message invalid, `warnings` do not. */
export interface ValidationResult {
  readonly issues: SchemaIssue[];
  readonly warnings: SchemaIssue[];
}

/** Compiled message schemas with validation, typed parsing and catalogue metadata. */
export interface SchemaRegistry {
  /** True when `messageType` is in the catalogue. */
  has(messageType: string): boolean;
  /** Validates `data` against the message type's schema; an unknown type is one issue. */
  validate(messageType: string, data: unknown): ValidationResult;
  /** Returns `data` typed as the message body, or throws ValidationError (warnings do not throw). */
  parse<T extends MessageType>(messageType: T, data: unknown): MessageTypes[T];
  /** True when the type carries 個人番号 (`x-carries-my-number`); unknown types count as carrying it. */
  carriesMyNumber(messageType: string): boolean;
  /** Catalogue metadata for one type. */
  info(messageType: string): MessageTypeInfo | undefined;
  /** Catalogue metadata for every type, sorted by message type. */
  list(): MessageTypeInfo[];
  /**
   * Compiles the schemas not compiled yet, one per turn of the event loop (a lazy registry compiles
   * each on its first use; this warms the rest without holding the loop). Resolves when all are.
   */
  compileAll(): Promise<void>;
}

/** Options of loadSchemaRegistry. */
export interface SchemaRegistryOptions {
  /** 住民票コード check digit: 'warn' (default, reported in `warnings`) or 'reject'. */
  readonly juminhyoCodeCheck?: JuminhyoCodeCheckMode;
  /** Folder holding defs.json and the message schemas; defaults to this module's folder. */
  readonly schemaDir?: string;
  /** Today's date (YYYY-MM-DD, in Japan) for the date rules (schemas/date-rules.ts); defaults to now. */
  readonly today?: () => string;
  /**
   * 'eager' (default): every schema is compiled before the registry is returned, so a schema that
   * does not compile fails here. 'lazy': each on its first use (the hub's own registry: compiling
   * all ≈ 50 took ≈ 0.8 s of a 3 s start, issue 23; it warms the rest after it is ready).
   */
  readonly compile?: 'eager' | 'lazy';
}

/** The raw schema documents: shared definitions and one schema per message type. */
export interface SchemaFiles {
  readonly defs: AnySchemaObject;
  readonly messages: ReadonlyMap<string, AnySchemaObject>;
}

/** The folder this module and the schema files live in. */
export const schemaDirectory: string = import.meta.dirname;

function isSchemaObject(value: unknown): value is AnySchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads defs.json and every message schema (`<messageType>.json`) from `dir`, sorted by type. */
export function readSchemaFiles(dir: string = schemaDirectory): SchemaFiles {
  const read = (file: string): AnySchemaObject => {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!isSchemaObject(parsed)) throw new Error(`${file} is not a JSON Schema object`);
    return parsed;
  };
  const messages = new Map<string, AnySchemaObject>();
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'defs.json')
    .sort();
  for (const file of files) {
    const schema = read(file);
    const id = schema.$id;
    if (id !== file.slice(0, -'.json'.length)) {
      throw new Error(`${file}: $id must equal the file name without .json`);
    }
    messages.set(id, schema);
  }
  return { defs: read('defs.json'), messages };
}

function stringOf(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function infoOf(messageType: string, schema: AnySchemaObject): MessageTypeInfo {
  const to: unknown = schema['x-to'];
  return {
    messageType,
    title: { ja: stringOf(schema['title']), en: stringOf(schema['x-title-en']) },
    description: stringOf(schema['description']),
    from: stringOf(schema['x-from']) as SystemId,
    to: (Array.isArray(to) ? to.map((item) => stringOf(item)) : []) as SystemId[],
    affair: typeof schema['x-affair'] === 'number' ? schema['x-affair'] : 0,
    carriesMyNumber: schema['x-carries-my-number'] === true,
  };
}

/** A fresh ajv instance with formats and catalogue keywords, as the registry uses it. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  formats.default(ajv);
  addCatalogueKeywords(ajv);
  return ajv;
}

function unknownTypeIssue(messageType: string): SchemaIssue {
  return {
    path: '',
    keyword: 'messageType',
    ja: `未知の電文種別です: ${messageType}`,
    en: `unknown message type: ${messageType}`,
  };
}

/** Loads and compiles every schema (synchronously). Throws if any schema fails ajv strict mode. */
export function loadSchemaRegistry(options: SchemaRegistryOptions = {}): SchemaRegistry {
  const mode = options.juminhyoCodeCheck ?? 'warn';
  const files = readSchemaFiles(options.schemaDir ?? schemaDirectory);
  const ajv = createAjv();
  ajv.addSchema(files.defs);
  for (const schema of files.messages.values()) ajv.addSchema(schema);

  const validators = new Map<string, ValidateFunction>();
  const infos = new Map<string, MessageTypeInfo>();
  for (const [messageType, schema] of files.messages) {
    infos.set(messageType, infoOf(messageType, schema));
  }
  /** The compiled validator of a catalogued type (compiled now if it was not), else undefined. */
  const validatorOf = (messageType: string): ValidateFunction | undefined => {
    const known = validators.get(messageType);
    if (known !== undefined || !files.messages.has(messageType)) return known;
    const validator = ajv.getSchema(messageType);
    if (validator === undefined) throw new Error(`schema ${messageType} did not compile`);
    validators.set(messageType, validator);
    return validator;
  };
  if (options.compile !== 'lazy')
    for (const messageType of files.messages.keys()) validatorOf(messageType);

  const validate = (messageType: string, data: unknown): ValidationResult => {
    const validator = validatorOf(messageType);
    if (validator === undefined) return { issues: [unknownTypeIssue(messageType)], warnings: [] };
    const valid = validator(data);
    // Rules a schema cannot state (today, sibling dates) run on every body, valid or not.
    const dated = dateRuleIssues(data, options.today?.());
    if (valid) return { issues: dated, warnings: [] };
    const all = [...toIssues(validator.errors), ...dated];
    if (mode === 'reject') return { issues: all, warnings: [] };
    return {
      issues: all.filter((issue) => issue.keyword !== 'juminhyoCodeCheckDigit'),
      warnings: all.filter((issue) => issue.keyword === 'juminhyoCodeCheckDigit'),
    };
  };

  return {
    has: (messageType) => files.messages.has(messageType),
    validate,
    parse<T extends MessageType>(messageType: T, data: unknown): MessageTypes[T] {
      const { issues } = validate(messageType, data);
      if (issues.length > 0) throw new ValidationError(messageType, issues);
      return data as MessageTypes[T]; // checked by the compiled schema above; TS cannot follow ajv
    },
    carriesMyNumber: (messageType) => infos.get(messageType)?.carriesMyNumber ?? true,
    info: (messageType) => infos.get(messageType),
    list: () => [...infos.values()],
    async compileAll() {
      for (const messageType of files.messages.keys()) {
        if (validators.has(messageType)) continue;
        validatorOf(messageType);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

let defaultRegistry: SchemaRegistry | undefined;

/** The default registry (住民票コード check in warn mode), created on first use. */
export function schemaRegistry(): SchemaRegistry {
  // Lazy: the hub compiles a schema on its first use and warms the rest once it is ready.
  defaultRegistry ??= loadSchemaRegistry({ compile: 'lazy' });
  return defaultRegistry;
}
